/** A scalar that both AMQP application properties and Kafka headers can carry. */
export type PropertyValue = string | number | boolean;

/**
 * A transport-neutral message.
 *
 * On AMQP 1.0 `properties` become application properties and `body` a single Data section; on Kafka
 * `properties` become record headers (UTF-8 strings) and `key` the record key.
 */
export interface Message {
  /** The payload; `undefined` for an empty message (e.g. a provisioning notification). */
  readonly body?: Buffer | undefined;
  /** MIME type of `body` (AMQP `content-type`, Kafka header `content-type`). */
  readonly contentType?: string | undefined;
  /** Application properties / record headers. */
  readonly properties?: Readonly<Record<string, PropertyValue>>;
  /** Kafka record key (Hono: the device id). Ignored on AMQP. */
  readonly key?: string | undefined;
  /** AMQP `subject` (the operation of a request). */
  readonly subject?: string | undefined;
  /** AMQP `message-id`. */
  readonly messageId?: string | undefined;
  /** AMQP `correlation-id`. */
  readonly correlationId?: string | undefined;
  /** AMQP `reply-to`. */
  readonly replyTo?: string | undefined;
  /** Time to live in milliseconds (AMQP header `ttl`; Kafka header `ttl`, also in ms, per Hono). */
  readonly ttlMs?: number | undefined;
  /**
   * AMQP header `durable`: the broker must keep the message across its restarts (Hono's events and
   * notifications). Kafka records are always durable.
   */
  readonly durable?: boolean | undefined;
}

/** A message as received, with the address or topic it came from. */
export interface ReceivedMessage extends Message {
  readonly source: string;
}

/** Reads a property as a string, whatever scalar type the transport delivered. */
export function stringProperty(message: Message, name: string): string | undefined {
  const value = message.properties?.[name];
  return value === undefined ? undefined : String(value);
}

/** Parses a message body as UTF-8 JSON; `undefined` for an empty body. Throws SyntaxError if malformed. */
export function jsonBody(message: Message): unknown {
  if (message.body === undefined || message.body.length === 0) return undefined;
  return JSON.parse(message.body.toString('utf8'));
}

/**
 * A request/response reply with an error `status` and a plain-text explanation in the body, as
 * Hono's registry endpoints answer failed requests.
 * @param properties further application properties to echo (e.g. `tenant_id`).
 */
export function errorReply(
  status: number,
  message: string,
  properties: Readonly<Record<string, PropertyValue>> = {},
): Message {
  return {
    properties: { ...properties, status },
    contentType: 'text/plain',
    body: Buffer.from(message, 'utf8'),
  };
}

/**
 * A request/response reply with a `status` and a JSON body (a single Data section), as Hono's
 * registry endpoints answer successful requests.
 * @param properties further application properties (e.g. `tenant_id`, `cache_control`).
 */
export function jsonReply(
  status: number,
  body: unknown,
  properties: Readonly<Record<string, PropertyValue>> = {},
): Message {
  return {
    properties: { ...properties, status },
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}
