import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';

/** TLS towards the brokers (Node's tls.connect options that kafkajs passes on). */
export interface KafkaTlsOptions {
  /** PEM CAs trusted instead of the system's (and NODE_EXTRA_CA_CERTS). */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key, for brokers that authenticate clients by certificate. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Verify the broker's certificate and host name (default true). */
  readonly rejectUnauthorized?: boolean;
}

/** How to reach the Kafka cluster. */
export interface KafkaConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** `true`: TLS with the system CAs; an object: TLS as given. */
  readonly ssl?: boolean | KafkaTlsOptions;
  readonly sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
  /** Connection and request timeouts; short values make an outage visible quickly. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

/**
 * The kafkajs client configuration: quiet logging (nothing, so never a message, a password or a
 * key), the timeouts, and SASL and TLS as given.
 */
export function kafkaClientConfig(options: KafkaConnectionOptions): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
  };
  if (options.ssl !== undefined && options.ssl !== false)
    config.ssl = options.ssl === true ? true : { ...options.ssl };
  if (options.sasl) config.sasl = { ...options.sasl } as SASLOptions;
  return config;
}

/** Builds a kafkajs client (every producer, consumer and admin of Tessera is made here). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  return new Kafka(kafkaClientConfig(options));
}
