import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

/** How to reach the Kafka cluster. */
export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  readonly sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
  /** Connection and request timeouts; short values make an outage visible quickly. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/** Builds a kafkajs client with quiet logging (errors only, and never message contents). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
  };
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (options.sasl) config.sasl = options.sasl as SASLOptions;
  return new Kafka(config);
}
