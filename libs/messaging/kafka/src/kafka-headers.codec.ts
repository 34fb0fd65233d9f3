import type { IHeaders, KafkaMessage } from 'kafkajs';

import type { Message, PropertyValue, ReceivedMessage } from '@tessera/messaging';

/** Hono's Kafka headers are UTF-8 strings; `content-type` and `ttl` (milliseconds) travel as headers too. */
export function toKafkaHeaders(message: Message): IHeaders {
  const headers: IHeaders = {};
  const properties = message.properties;
  if (properties !== undefined) {
    for (const name in properties) headers[name] = String(properties[name]);
  }
  if (message.contentType !== undefined) headers['content-type'] = message.contentType;
  if (message.ttlMs !== undefined) headers['ttl'] = String(message.ttlMs);
  return headers;
}

/** Decodes a consumed record; every header becomes a string property. */
export function fromKafkaMessage(topic: string, record: KafkaMessage): ReceivedMessage {
  const properties: Record<string, PropertyValue> = {};
  let contentType: string | undefined;
  for (const [k, v] of Object.entries(record.headers ?? {})) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? (v[v.length - 1] ?? '').toString() : v.toString();
    if (k === 'content-type') contentType = value;
    properties[k] = value;
  }
  return {
    source: topic,
    body: record.value ?? undefined,
    key: record.key?.toString('utf8'),
    contentType,
    properties,
  };
}
