import type { JsonObject } from './search';

/**
 * A change notification to publish, stored in the same atomic write as the change that caused it
 * (the transactional outbox), so that a crash or a broker outage never loses it.
 */
export interface NewOutboxMessage {
  /** Kafka topic / AMQP address, e.g. `hono.notification.registry-device`. */
  readonly topic: string;
  /** Record key (Hono: the tenant or device id). */
  readonly key: string;
  /** The notification (Hono's JSON). */
  readonly payload: JsonObject;
}

/** A stored outbox message, as the relay sees it. */
export interface OutboxMessage extends NewOutboxMessage {
  /** Unique id; the relay acknowledges by it. */
  readonly id: string;
  readonly createdAt: Date;
}

/**
 * The reading side of a repository's outbox. Every repository that takes `NewOutboxMessage`s in its
 * writes implements it for the messages of its own writes only, so each service relays its own.
 */
export interface OutboxReader {
  /** Up to `limit` unpublished messages, oldest first. */
  pendingNotifications(limit: number): Promise<OutboxMessage[]>;
  /** Marks messages as published (idempotent; unknown ids are ignored). */
  acknowledgeNotifications(ids: readonly string[]): Promise<void>;
}
