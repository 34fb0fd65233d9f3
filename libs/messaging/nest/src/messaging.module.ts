import { randomUUID } from 'node:crypto';

import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { InProcessBroker, MessageReceiver, MessageSender } from '@tessera/messaging';
import { KafkaConsumer, type KafkaConnectionOptions, KafkaSender } from '@tessera/messaging-kafka';

import type { KafkaConfig } from './messaging.config';

/** DI token of the sender for registry change notifications (Kafka or in-process). */
export const NOTIFICATION_SENDER = Symbol('tessera.notification-sender');
/** DI token of the receiver for registry change notifications. */
export const NOTIFICATION_RECEIVER = Symbol('tessera.notification-receiver');
/** Which transport carries notifications: `kafka` or `in-process`. */
export const NOTIFICATION_TRANSPORT = Symbol('tessera.notification-transport');
/**
 * DI token of the prefix (KAFKA_CONSUMER_GROUP_PREFIX, default `tessera`) for consumer groups that
 * all instances of a service share, so that each record is handled by one of them: `<prefix>-<what>`.
 */
export const CONSUMER_GROUP_PREFIX = Symbol('tessera.consumer-group-prefix');

/**
 * Kafka connection options from config, or undefined when no brokers are configured: the SASL
 * mechanism with its user and password, and TLS (on with KAFKA_TLS or any KAFKA_TLS_* file) with
 * the CA, client certificate and verification as configured. Every Kafka client of a service
 * (producer, consumers, admin) is built from these.
 */
export function kafkaOptions(config: KafkaConfig): KafkaConnectionOptions | undefined {
  if (!config.brokers || config.brokers.length === 0) return undefined;
  const tls =
    config.tls ||
    config.tlsCa !== undefined ||
    config.tlsCert !== undefined ||
    config.tlsKey !== undefined;
  return {
    brokers: config.brokers,
    clientId: config.clientId,
    ...(tls
      ? {
          ssl: {
            rejectUnauthorized: config.tlsRejectUnauthorized,
            ...(config.tlsCa === undefined ? {} : { ca: config.tlsCa }),
            ...(config.tlsCert === undefined ? {} : { cert: config.tlsCert }),
            ...(config.tlsKey === undefined ? {} : { key: config.tlsKey }),
          },
        }
      : {}),
    ...(config.saslMechanism && config.saslUsername !== undefined
      ? {
          sasl: {
            mechanism: config.saslMechanism,
            username: config.saslUsername,
            password: config.saslPassword ?? '',
          },
        }
      : {}),
  };
}

/**
 * Notification transport for the registry services: Kafka when `KAFKA_BROKERS` is set, else an
 * in-process broker (embedded mode, where all services share the process).
 */
@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(
    @Inject(NOTIFICATION_SENDER) private readonly sender: MessageSender,
    @Inject(NOTIFICATION_RECEIVER) private readonly receiver: MessageReceiver,
  ) {}

  static forRoot(config: KafkaConfig, options: { consumerGroup: string }): DynamicModule {
    const kafka = kafkaOptions(config);
    const broker = kafka ? undefined : new InProcessBroker();
    return {
      module: MessagingModule,
      providers: [
        { provide: NOTIFICATION_TRANSPORT, useValue: kafka ? 'kafka' : 'in-process' },
        { provide: CONSUMER_GROUP_PREFIX, useValue: config.consumerGroupPrefix },
        {
          provide: NOTIFICATION_SENDER,
          useFactory: () => (kafka ? new KafkaSender(kafka) : broker?.sender),
        },
        {
          provide: NOTIFICATION_RECEIVER,
          useFactory: () =>
            kafka
              ? new KafkaConsumer(kafka, `${options.consumerGroup}-${randomUUID()}`)
              : broker?.receiver,
        },
      ],
      exports: [
        NOTIFICATION_SENDER,
        NOTIFICATION_RECEIVER,
        NOTIFICATION_TRANSPORT,
        CONSUMER_GROUP_PREFIX,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.receiver.stop(), this.sender.stop()]);
  }
}
