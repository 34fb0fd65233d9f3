import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/** Kafka connection for notifications and events; without brokers, embedded mode uses an in-process broker. */
export const KafkaConfig = defineConfig('messaging.kafka', {
  brokers: envVar(
    'KAFKA_BROKERS',
    envSchemas.list().optional(),
    'Kafka bootstrap servers, comma-separated',
  ),
  clientId: envVar('KAFKA_CLIENT_ID', z.string().default('tessera'), 'Kafka client id'),
  saslMechanism: envVar(
    'KAFKA_SASL_MECHANISM',
    z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    'Kafka SASL mechanism',
  ),
  saslUsername: envVar('KAFKA_SASL_USERNAME', z.string().optional(), 'Kafka SASL user'),
  saslPassword: envVar('KAFKA_SASL_PASSWORD', z.string().optional(), 'Kafka SASL password', {
    sensitive: true,
  }),
  tls: envVar('KAFKA_TLS', envSchemas.boolean(false), 'connect to Kafka over TLS'),
});

export type KafkaConfig = ConfigOf<typeof KafkaConfig>;
