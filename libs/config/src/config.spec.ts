import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

import {
  ConfigError,
  defineConfig,
  describeConfig,
  envSchemas,
  envVar,
  loadConfig,
  redactValue,
} from './config';

const Kafka = defineConfig('messaging.kafka', {
  brokers: envVar(
    'KAFKA_BROKERS',
    envSchemas.list().pipe(z.array(z.string()).min(1)),
    'bootstrap servers',
  ),
  password: envVar('KAFKA_SASL_PASSWORD', z.string().optional(), 'SASL password', {
    sensitive: true,
  }),
});
const Http = defineConfig('http', {
  port: envVar('HTTP_PORT', envSchemas.port(8080), 'HTTP port'),
  tls: envVar('HTTP_TLS', envSchemas.boolean(false), 'TLS on'),
});

describe(loadConfig.name, () => {
  it('parses typed values and applies defaults', () => {
    const sut = loadConfig({ kafka: Kafka, http: Http }, { KAFKA_BROKERS: 'a:1, b:2' });
    expect(sut.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(sut.http).toEqual({ port: 8080, tls: false });
  });

  it('lists every invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ kafka: Kafka, http: Http }, { HTTP_PORT: '70000', HTTP_TLS: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/KAFKA_BROKERS/);
    expect(problems.join('\n')).toMatch(/HTTP_PORT \(got "70000"\)/);
    expect(problems.join('\n')).toMatch(/HTTP_TLS/);
  });

  it('never echoes a secret value in errors', () => {
    const Strict = defineConfig('s', {
      key: envVar('API_KEY', z.string().min(32), 'API key', { sensitive: true }),
    });
    expect(() => loadConfig({ s: Strict }, { API_KEY: 'hunter2' })).toThrow(ConfigError);
    try {
      loadConfig({ s: Strict }, { API_KEY: 'hunter2' });
    } catch (e) {
      expect(String(e)).not.toContain('hunter2');
    }
  });

  it('reads a secret from <NAME>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'pw'), 's3cret\n');
    const sut = loadConfig(
      { kafka: Kafka },
      { KAFKA_BROKERS: 'k:1', KAFKA_SASL_PASSWORD_FILE: join(dir, 'pw') },
    );
    expect(sut.kafka.password).toBe('s3cret');
  });

  it('reports an unreadable secret file', () => {
    expect(() =>
      loadConfig(
        { kafka: Kafka },
        { KAFKA_BROKERS: 'k:1', KAFKA_SASL_PASSWORD_FILE: '/nonexistent/x' },
      ),
    ).toThrow(/KAFKA_SASL_PASSWORD_FILE: cannot read/);
  });
});

describe(describeConfig.name, () => {
  it('masks secrets', () => {
    const sut = describeConfig(
      { kafka: Kafka },
      { KAFKA_BROKERS: 'k:1', KAFKA_SASL_PASSWORD: 'pw' },
    );
    expect(sut).toEqual({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_PASSWORD: '****' });
  });
});

describe('secret redaction', () => {
  const Urls = defineConfig('urls', {
    registry: envVar('REGISTRY_AMQP_URL', envSchemas.url(['amqp', 'amqps']), 'registry'),
    password: envVar('PASSWORD', z.string().min(12), 'a password', { sensitive: true }),
    users: envVar('USERS', z.string().regex(/^\w+:\$2[aby]\$/), 'user:hash list', {
      sensitive: true,
    }),
  });
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig({ urls: Urls }, env);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    return '';
  };

  it('masks the password of URL user info, wherever it is in a value', () => {
    expect(redactValue('amqp://adapter:s3cret@registry:5672')).toBe(
      'amqp://adapter:****@registry:5672',
    );
    expect(redactValue('a=https://u:p%40ss@h/x, b=postgres://db:pw@h/db')).toBe(
      'a=https://u:****@h/x, b=postgres://db:****@h/db',
    );
    expect(redactValue('amqp://registry:5672')).toBe('amqp://registry:5672');
    expect(redactValue('kafka-0:9092,kafka-1:9092')).toBe('kafka-0:9092,kafka-1:9092');
  });

  it('names the variable of a bad value but shows a secret neither directly nor from its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'users'), 'admin:not-a-bcrypt-hash-4711\n');
    const message = problemsOf({
      REGISTRY_AMQP_URL: 'amqx://adapter:url-secret-0815@registry:5672',
      PASSWORD: 'short-4711',
      USERS_FILE: join(dir, 'users'),
    });
    expect(message).toContain('REGISTRY_AMQP_URL (got "amqx://adapter:****@registry:5672")');
    expect(message).toContain('PASSWORD:');
    expect(message).toContain('USERS:');
    for (const secret of ['url-secret-0815', 'short-4711', 'not-a-bcrypt-hash-4711'])
      expect(message).not.toContain(secret);
  });

  it('never prints a secret in a configuration summary, nor a URL’s password', () => {
    const summary = describeConfig(
      { urls: Urls },
      {
        REGISTRY_AMQP_URL: 'amqp://adapter:url-secret-0815@registry:5672',
        PASSWORD: 'long-enough-secret-4711',
      },
    );
    expect(summary).toEqual({
      REGISTRY_AMQP_URL: 'amqp://adapter:****@registry:5672',
      PASSWORD: '****',
    });
  });
});

describe('envSchemas.url', () => {
  it('accepts only the given schemes', () => {
    const schema = envSchemas.url(['amqp', 'amqps']);
    expect(schema.safeParse('amqp://h:5672').success).toBe(true);
    expect(schema.safeParse('http://h').success).toBe(false);
    expect(schema.safeParse('not a url').success).toBe(false);
  });
});

describe('defineConfig checks across variables', () => {
  const Store = defineConfig(
    'persistence',
    {
      driver: envVar('DRIVER', z.enum(['postgres', 'mongodb']), 'store'),
      url: envVar('POSTGRES_URL', z.string().optional(), 'url', { sensitive: true }),
    },
    (v) =>
      v.driver === 'postgres' && !v.url ? ['POSTGRES_URL is required when DRIVER=postgres'] : [],
  );

  it('reports a failed check with the other problems', () => {
    expect(() => loadConfig({ s: Store }, { DRIVER: 'postgres' })).toThrow(
      /POSTGRES_URL is required/,
    );
    expect(loadConfig({ s: Store }, { DRIVER: 'mongodb' }).s.driver).toBe('mongodb');
  });
});
