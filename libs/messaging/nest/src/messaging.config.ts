import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/**
 * Kafka connection for notifications and events; without brokers, embedded mode uses an in-process
 * broker. SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS (a CA of its own, a client
 * certificate) apply to every Kafka client of a service: producers, consumers, admin.
 */
export const KafkaConfig = defineConfig(
  'messaging.kafka',
  {
    brokers: envVar(
      'KAFKA_BROKERS',
      envSchemas.list().optional(),
      'Kafka bootstrap servers, comma-separated',
    ),
    clientId: envVar('KAFKA_CLIENT_ID', z.string().default('tessera'), 'Kafka client id'),
    consumerGroupPrefix: envVar(
      'KAFKA_CONSUMER_GROUP_PREFIX',
      z
        .string()
        .regex(/^[A-Za-z0-9._-]+$/)
        .default('tessera'),
      'prefix of the consumer groups the instances of a service share, so that each record is handled once (<prefix>-credentials-cleanup, <prefix>-device-tenant-cleanup); deployments sharing a Kafka cluster need different ones',
    ),
    saslMechanism: envVar(
      'KAFKA_SASL_MECHANISM',
      z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
      'Kafka SASL mechanism: plain, scram-sha-256 or scram-sha-512 (needs user and password)',
    ),
    saslUsername: envVar('KAFKA_SASL_USERNAME', z.string().optional(), 'Kafka SASL user'),
    saslPassword: envVar('KAFKA_SASL_PASSWORD', z.string().optional(), 'Kafka SASL password', {
      sensitive: true,
    }),
    tls: envVar(
      'KAFKA_TLS',
      envSchemas.boolean(false),
      'connect to Kafka over TLS (implied by KAFKA_TLS_CA, _CERT, _KEY)',
    ),
    tlsCa: envVar(
      'KAFKA_TLS_CA',
      z.string().optional(),
      'PEM CA certificate(s) trusted for the brokers instead of the system CAs',
      { sensitive: true },
    ),
    tlsCert: envVar(
      'KAFKA_TLS_CERT',
      z.string().optional(),
      'PEM client certificate (chain) for brokers that require one (with KAFKA_TLS_KEY)',
      { sensitive: true },
    ),
    tlsKey: envVar(
      'KAFKA_TLS_KEY',
      z.string().optional(),
      'PEM private key of the client certificate',
      {
        sensitive: true,
      },
    ),
    tlsRejectUnauthorized: envVar(
      'KAFKA_TLS_REJECT_UNAUTHORIZED',
      envSchemas.boolean(true),
      'verify the brokers’ certificates and host names (false only for tests)',
    ),
  },
  (v) => {
    const problems: string[] = [];
    if (
      v.saslMechanism !== undefined &&
      (v.saslUsername === undefined || v.saslPassword === undefined)
    )
      problems.push(
        'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)',
      );
    if (
      v.saslMechanism === undefined &&
      (v.saslUsername !== undefined || v.saslPassword !== undefined)
    )
      problems.push(
        'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)',
      );
    if ((v.tlsCert === undefined) !== (v.tlsKey === undefined))
      problems.push('KAFKA_TLS_CERT and KAFKA_TLS_KEY go together (or their *_FILE variants)');
    return problems;
  },
);

export type KafkaConfig = ConfigOf<typeof KafkaConfig>;
