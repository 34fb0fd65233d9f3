import type { Message, ReceivedMessage } from './message';

/** Start/stop of a component that holds connections. Both are idempotent. */
export interface Lifecycle {
  /** Connects; resolves once usable. Rejects with MessagingError(UNAVAILABLE) if the peer cannot be reached. */
  start(): Promise<void>;
  /** Closes links and connections; in-flight sends are settled or rejected first. */
  stop(): Promise<void>;
}

/** How a sender waits for the broker. */
export interface SendOptions {
  /**
   * `true` (events, QoS 1, notifications): resolve only after the broker acknowledged the message
   * (AMQP `accepted`; Kafka `acks=all`). `false` (QoS 0 telemetry): resolve once it is handed to the
   * transport, without waiting for the broker.
   */
  readonly awaitAck: boolean;
  /** Give up after this long with MessagingError(TIMEOUT, retryable). Default: the sender's own. */
  readonly timeoutMs?: number;
}

/**
 * Sends messages to an address (AMQP) or topic (Kafka).
 *
 * `send` rejects with a retryable MessagingError (`UNAVAILABLE`, `TIMEOUT`, `RELEASED`) when the broker
 * cannot take the message now, and a non-retryable one (`REJECTED`, `INVALID`) when it never will.
 * After a rejection the message may still have been delivered (at least once, never at most once).
 */
export abstract class MessageSender implements Lifecycle {
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract send(destination: string, message: Message, options: SendOptions): Promise<void>;
}

/** Options of a subscription. */
export interface SubscribeOptions {
  /** Kafka consumer group; ignored on AMQP (a queue is its own group). */
  readonly groupId?: string;
  /** Kafka: start at the earliest offset when the group has none committed. */
  readonly fromBeginning?: boolean;
  /** How many unacknowledged messages may be outstanding (AMQP credit). */
  readonly prefetch?: number;
}

/**
 * A message handler. Resolving acknowledges the message (AMQP `accepted`, Kafka offset committed);
 * rejecting leaves it to be delivered again (AMQP `released`, Kafka offset not committed).
 */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

/** An open subscription. */
export interface Subscription {
  /** Stops delivery; resolves once the handler is no longer called. */
  close(): Promise<void>;
}

/** Receives messages from an address (AMQP) or topic (Kafka), at least once. */
export abstract class MessageReceiver implements Lifecycle {
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract subscribe(
    source: string,
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
}

/**
 * Hono-style request/response over a messaging transport: sends `request` to `address` with a
 * `reply-to` of its own and resolves with the reply whose `correlation-id` matches.
 *
 * Rejects with MessagingError(TIMEOUT) after `timeoutMs`, MessagingError(UNAVAILABLE) without a
 * connection; a reply with an error `status` is still a resolved reply (the caller maps it).
 */
export abstract class RequestResponseClient implements Lifecycle {
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract request(
    address: string,
    request: Message,
    options?: { timeoutMs?: number },
  ): Promise<Message>;
}

/**
 * Serves Hono-style requests: a handler per address prefix (e.g. `registration` serves
 * `registration/<tenant>`), returning the reply. A thrown error becomes a reply with its `status`
 * (ServiceInvocationError) or 500.
 */
export type RequestHandler = (request: ReceivedMessage) => Promise<Message>;
