import { ClientError } from '../errors';
import type { MessagingType } from '../common/messaging-type';
import { KAFKA_TOPIC_PREFIX } from './downstream-address';

/** The addresses of the registry's change notifications (Hono `NotificationType#getAddress`). */
export const NotificationAddress = {
  /** Tenant changes. */
  REGISTRY_TENANT: 'registry-tenant',
  /** Device changes, credentials changes and "all devices of a tenant deleted". */
  REGISTRY_DEVICE: 'registry-device',
} as const;

/** `registry-tenant` or `registry-device`. */
export type NotificationAddress = (typeof NotificationAddress)[keyof typeof NotificationAddress];

const ADDRESSES: readonly string[] = Object.values(NotificationAddress);

/** The endpoint of the notification API: AMQP `notification/…`, Kafka `hono.notification.…`. */
export const NOTIFICATION_ENDPOINT = 'notification';

function malformed(value: string): ClientError {
  return new ClientError(400, 'ADDRESS.MALFORMED', `not a registry notification topic [${value}]`);
}

/**
 * Where registry change notifications are published: Kafka topics
 * `hono.notification.registry-tenant` / `hono.notification.registry-device`, AMQP addresses
 * `notification/registry-tenant` / `notification/registry-device`. Notifications are broadcast to
 * every consumer (each adapter instance sees all of them).
 */
export class NotificationTopic {
  /** The topic of tenant change notifications. */
  static readonly REGISTRY_TENANT = new NotificationTopic(NotificationAddress.REGISTRY_TENANT);
  /** The topic of device, credentials and all-devices-deleted notifications. */
  static readonly REGISTRY_DEVICE = new NotificationTopic(NotificationAddress.REGISTRY_DEVICE);

  private constructor(
    /** The notification address, the last part of the topic. */
    readonly address: NotificationAddress,
  ) {}

  /** The topic for a notification address. */
  static of(address: NotificationAddress): NotificationTopic {
    return address === NotificationAddress.REGISTRY_TENANT
      ? NotificationTopic.REGISTRY_TENANT
      : NotificationTopic.REGISTRY_DEVICE;
  }

  /**
   * Parses a Kafka topic such as `hono.notification.registry-device`.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) for any other topic.
   */
  static fromKafkaTopic(topic: string): NotificationTopic {
    const prefix = `${KAFKA_TOPIC_PREFIX}${NOTIFICATION_ENDPOINT}.`;
    const address = topic.startsWith(prefix) ? topic.slice(prefix.length) : undefined;
    if (address === undefined || !ADDRESSES.includes(address)) throw malformed(topic);
    return NotificationTopic.of(address as NotificationAddress);
  }

  /**
   * Parses an AMQP address such as `notification/registry-tenant`.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) for any other address.
   */
  static fromAmqpAddress(value: string): NotificationTopic {
    const prefix = `${NOTIFICATION_ENDPOINT}/`;
    const address = value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
    if (address === undefined || !ADDRESSES.includes(address)) throw malformed(value);
    return NotificationTopic.of(address as NotificationAddress);
  }

  /**
   * Parses the topic or address of the given messaging type.
   *
   * @throws ClientError (400, `ADDRESS.MALFORMED`) for anything else.
   */
  static parse(value: string, messagingType: MessagingType): NotificationTopic {
    return messagingType === 'kafka'
      ? NotificationTopic.fromKafkaTopic(value)
      : NotificationTopic.fromAmqpAddress(value);
  }

  /** The Kafka topic, e.g. `hono.notification.registry-tenant`. */
  toKafkaTopic(): string {
    return `${KAFKA_TOPIC_PREFIX}${NOTIFICATION_ENDPOINT}.${this.address}`;
  }

  /** The AMQP address, e.g. `notification/registry-tenant`. */
  toAmqpAddress(): string {
    return `${NOTIFICATION_ENDPOINT}/${this.address}`;
  }

  /** The Kafka topic or AMQP address, depending on the messaging type. */
  format(messagingType: MessagingType): string {
    return messagingType === 'kafka' ? this.toKafkaTopic() : this.toAmqpAddress();
  }

  /** Whether `other` is the same topic. */
  equals(other: NotificationTopic): boolean {
    return this.address === other.address;
  }

  /** The Kafka form, for logs. */
  toString(): string {
    return this.toKafkaTopic();
  }
}
