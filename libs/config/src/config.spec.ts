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
