import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, describeConfig, loadConfig } from '@tessera/config';
import { kafkaClientConfig } from '@tessera/messaging-kafka';

import { KafkaConfig } from './messaging.config';
import { kafkaOptions } from './messaging.module';

const PASSWORD = 'kafka-password-4711';
const KEY = '-----BEGIN PRIVATE KEY-----\nkafka-client-key-0815\n-----END PRIVATE KEY-----';
const CERT = '-----BEGIN CERTIFICATE-----\nkafka-client-cert\n-----END CERTIFICATE-----';
const CA = '-----BEGIN CERTIFICATE-----\nkafka-ca\n-----END CERTIFICATE-----';

const options = (env: Record<string, string>) =>
  kafkaOptions(
    loadConfig({ kafka: KafkaConfig }, { KAFKA_BROKERS: 'k1:9093,k2:9093', ...env }).kafka,
  );

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ kafka: KafkaConfig }, { KAFKA_BROKERS: 'k:9093', ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
}

function files(contents: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-cfg-'));
  return Object.fromEntries(
    Object.entries(contents).map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, `${content}\n`);
      return [`${name}_FILE`, path];
    }),
  );
}

describe('Kafka connection options (KAFKA_*)', () => {
  it('is off without brokers, plain without TLS and SASL variables', () => {
    expect(kafkaOptions(loadConfig({ kafka: KafkaConfig }, {}).kafka)).toBeUndefined();
    expect(options({})).toEqual({ brokers: ['k1:9093', 'k2:9093'], clientId: 'tessera' });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'passes SASL %s with user and password on to kafkajs',
    (mechanism) => {
      const built = options({
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'tessera',
        KAFKA_SASL_PASSWORD: PASSWORD,
      });
      expect(built?.sasl).toEqual({ mechanism, username: 'tessera', password: PASSWORD });
      expect(built?.ssl).toBeUndefined();
      const kafkajs = kafkaClientConfig(built!);
      expect(kafkajs.sasl).toEqual({ mechanism, username: 'tessera', password: PASSWORD });
      expect(kafkajs.ssl).toBeUndefined();
      expect(kafkajs.brokers).toEqual(['k1:9093', 'k2:9093']);
    },
  );

  it('verifies the brokers by default with KAFKA_TLS (the system CAs)', () => {
    const built = options({ KAFKA_TLS: 'true' });
    expect(built?.ssl).toEqual({ rejectUnauthorized: true });
    expect(kafkaClientConfig(built!).ssl).toEqual({ rejectUnauthorized: true });
  });

  it('reads the CA, client certificate and key from files (Kubernetes Secrets), implying TLS', () => {
    const built = options({
      ...files({ KAFKA_TLS_CA: CA, KAFKA_TLS_CERT: CERT, KAFKA_TLS_KEY: KEY }),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'tessera',
      ...files({ KAFKA_SASL_PASSWORD: PASSWORD }),
    });
    const expected = { rejectUnauthorized: true, ca: CA, cert: CERT, key: KEY };
    expect(built?.ssl).toEqual(expected);
    expect(built?.sasl?.password).toBe(PASSWORD);
    const kafkajs = kafkaClientConfig(built!);
    expect(kafkajs.ssl).toEqual(expected);
    expect(kafkajs.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'tessera',
      password: PASSWORD,
    });
  });

  it('skips verification only when told to', () => {
    expect(options({ KAFKA_TLS: 'true', KAFKA_TLS_REJECT_UNAUTHORIZED: 'false' })?.ssl).toEqual({
      rejectUnauthorized: false,
    });
    expect(options({ KAFKA_TLS_CA: CA })?.ssl).toEqual({ rejectUnauthorized: true, ca: CA });
  });

  it('refuses incomplete SASL or TLS settings, naming the variables and never their values', () => {
    const incomplete = problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' });
    expect(incomplete).toContain(
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
    const noMechanism = problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(noMechanism).toContain('need KAFKA_SASL_MECHANISM');
    expect(noMechanism).not.toContain(PASSWORD);
    const unknown = problemsOf({
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(unknown).toContain('KAFKA_SASL_MECHANISM');
    expect(unknown).not.toContain(PASSWORD);
    const halfPair = problemsOf({ KAFKA_TLS_KEY: KEY });
    expect(halfPair).toContain('KAFKA_TLS_CERT and KAFKA_TLS_KEY go together');
    expect(halfPair).not.toContain('kafka-client-key-0815');
    expect(problemsOf({ KAFKA_TLS_REJECT_UNAUTHORIZED: 'nope' })).toContain(
      'KAFKA_TLS_REJECT_UNAUTHORIZED',
    );
    expect(problemsOf({ KAFKA_TLS_CA_FILE: '/nonexistent/ca.crt' })).toContain(
      'KAFKA_TLS_CA_FILE: cannot read',
    );
  });

  it('masks the password and the key in a configuration summary', () => {
    const summary = describeConfig(
      { kafka: KafkaConfig },
      {
        KAFKA_BROKERS: 'k:9093',
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'tessera',
        KAFKA_SASL_PASSWORD: PASSWORD,
        KAFKA_TLS_KEY: KEY,
        KAFKA_TLS_CERT: CERT,
      },
    );
    expect(summary['KAFKA_SASL_PASSWORD']).toBe('****');
    expect(summary['KAFKA_TLS_KEY']).toBe('****');
    expect(JSON.stringify(summary)).not.toContain(PASSWORD);
    expect(JSON.stringify(summary)).not.toContain('kafka-client-key-0815');
  });
});
