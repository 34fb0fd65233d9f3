import { message as rheaMessage, type Message as RheaMessage, types } from 'rhea';

import type { Message, PropertyValue, ReceivedMessage } from '@tessera/messaging';

const DATA_SECTION = 0x75;

interface Section {
  typecode: number;
  content: unknown;
  multiple?: boolean;
}

function isSection(value: unknown): value is Section {
  return typeof value === 'object' && value !== null && 'typecode' in value && 'content' in value;
}

/** Normalises an AMQP body (Data sections, amqp-value string/binary/map) to bytes. */
export function decodeBody(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (isSection(body)) {
    if (body.typecode !== DATA_SECTION) return Buffer.from(JSON.stringify(body.content), 'utf8');
    const parts = body.multiple === true ? (body.content as Buffer[]) : [body.content as Buffer];
    return Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(String(p)))));
  }
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function scalarProperties(props: unknown): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  if (typeof props !== 'object' || props === null) return out;
  for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'bigint') out[k] = Number(v);
    else if (v instanceof Date) out[k] = v.getTime();
  }
  return out;
}

function idToString(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (Buffer.isBuffer(id)) return id.toString('hex');
  if (typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint') return String(id);
  return undefined;
}

/**
 * Integer properties go out as AMQP `int` (or `long` beyond 32 bits), as Hono's Java peers expect
 * (`status`, `qos`, `ttd`); rhea would otherwise pick `uint` or `ulong` for positive numbers.
 */
function encodeProperties(props: Readonly<Record<string, PropertyValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === 'number' && Number.isInteger(v)) {
      out[k] = v >= -2_147_483_648 && v <= 2_147_483_647 ? types.wrap_int(v) : types.wrap_long(v);
    } else if (typeof v === 'number') {
      out[k] = types.wrap_double(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Maps a transport-neutral message to rhea's; the body goes into a single Data section (Hono). */
export function toRheaMessage(message: Message): RheaMessage {
  const out: Record<string, unknown> = {
    application_properties: encodeProperties(message.properties ?? {}),
  };
  if (message.body !== undefined) out['body'] = rheaMessage.data_section(message.body);
  if (message.contentType !== undefined) out['content_type'] = message.contentType;
  if (message.subject !== undefined) out['subject'] = message.subject;
  if (message.messageId !== undefined) out['message_id'] = message.messageId;
  if (message.correlationId !== undefined) out['correlation_id'] = message.correlationId;
  if (message.replyTo !== undefined) out['reply_to'] = message.replyTo;
  if (message.ttlMs !== undefined) out['ttl'] = message.ttlMs;
  if (message.durable === true) out['durable'] = true;
  return out as unknown as RheaMessage;
}

/** Maps a received rhea message to the transport-neutral shape. */
export function fromRheaMessage(source: string, m: object): ReceivedMessage {
  const raw = m as Record<string, unknown>;
  return {
    source,
    body: decodeBody(raw['body']),
    contentType: typeof raw['content_type'] === 'string' ? raw['content_type'] : undefined,
    properties: scalarProperties(raw['application_properties']),
    subject: typeof raw['subject'] === 'string' ? raw['subject'] : undefined,
    messageId: idToString(raw['message_id']),
    correlationId: idToString(raw['correlation_id']),
    replyTo: typeof raw['reply_to'] === 'string' ? raw['reply_to'] : undefined,
    ttlMs: typeof raw['ttl'] === 'number' ? raw['ttl'] : undefined,
    durable: raw['durable'] === true ? true : undefined,
  };
}
