import { createRequire } from 'node:module';

/**
 * Faster encoders for kafkajs' produce path, byte for byte the same as its own.
 *
 * Why: kafkajs (2.2.4, its last release) encodes each record with a fresh `Encoder` per record
 * and per header, and each of those zero-fills a 512-byte buffer; the record batch around them is
 * copied through four more growing encoders. With Hono's seven or so headers that cost the HTTP
 * adapter about 30 µs of CPU a record, a fifth of a telemetry request. These encoders size each
 * part first and write it once.
 *
 * How: kafkajs loads its produce request (and, through it, its record encoder) lazily, on the
 * first produce. {@link installProduceEncoder} puts these encoders in the module cache under the
 * paths of kafkajs' modules before that, so kafkajs picks them up. It installs only on the kafkajs
 * version it was checked against, and only while the produce request is not loaded yet; otherwise
 * kafkajs' own encoders stay in place. Anything they do not expect goes to kafkajs' own encoders:
 * compressed batches, explicit timestamps, timestamp deltas beyond ±2^52, and keys, values or
 * header values of other types.
 */

/** The kafkajs release whose record encoder this one reproduces. */
export const KAFKAJS_VERSION = '2.2.4';

/** What kafkajs' produce request passes to its record encoder. */
export interface RecordInput {
  readonly offsetDelta?: number;
  readonly timestampDelta?: number;
  readonly key?: Buffer | string | null;
  readonly value?: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** The part of kafkajs' `Encoder` that its record batch reads: the bytes and their length. */
export interface EncodedRecord {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

/** What kafkajs' producer passes to its produce request (version 3, which 4 to 7 extend). */
export interface ProduceRequestInput {
  readonly acks: number;
  readonly timeout: number;
  readonly transactionalId?: string | null;
  readonly producerId?: unknown;
  readonly producerEpoch?: number;
  readonly compression?: number;
  readonly topicData: readonly {
    readonly topic: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly firstSequence?: number;
      readonly messages: readonly (RecordInput & { readonly timestamp?: unknown })[];
    }[];
  }[];
}

/** The produce request kafkajs sends: it awaits `encode()` and frames the result. */
export interface ProduceRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  readonly expectResponse: () => boolean;
  readonly encode: () => Promise<EncodedRecord>;
}

type RecordEncoder = (input: RecordInput) => EncodedRecord;
type ProduceRequestEncoder = (input: ProduceRequestInput) => ProduceRequest;
interface KafkajsLong {
  readonly value: bigint;
}

const kafkajsRequire = createRequire(require.resolve('kafkajs'));
const RECORD_MODULE = './src/protocol/recordBatch/record/v0/index.js';
const PRODUCE_REQUEST_MODULE = './src/protocol/requests/produce/v3/request.js';
const ENCODER_MODULE = './src/protocol/encoder.js';
const LONG_MODULE = './src/utils/long.js';

const PRODUCE_API_KEY = 0;
const MAGIC_BYTE = 2;
const TRANSACTIONAL_ATTRIBUTE = 16;

/** kafkajs' own record encoder (loaded from its file, whatever the module cache holds). */
export function kafkajsRecordEncoder(): RecordEncoder {
  return loadFresh(RECORD_MODULE) as RecordEncoder;
}

/** kafkajs' own produce request (v3), whatever the module cache holds. */
export function kafkajsProduceRequest(): ProduceRequestEncoder {
  return loadFresh(PRODUCE_REQUEST_MODULE) as ProduceRequestEncoder;
}

let original: RecordEncoder | undefined;
let originalProduce: ProduceRequestEncoder | undefined;
let encoderPrototype: object | undefined;
let long: { fromValue(value: unknown): KafkajsLong } | undefined;

/**
 * kafkajs' produce request (v3) with {@link encodeRecord}'s records in a batch written once:
 * sizes first, one buffer, the CRC-32C over its slice.
 */
export function produceRequest(input: ProduceRequestInput): ProduceRequest {
  const { acks, timeout, transactionalId = null, compression = 0, topicData } = input;
  if (compression !== 0 || !topicData.every(hasNoTimestamps)) {
    originalProduce ??= kafkajsProduceRequest();
    return originalProduce(input);
  }
  return {
    apiKey: PRODUCE_API_KEY,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: () => {
      long ??= kafkajsRequire(LONG_MODULE) as { fromValue(value: unknown): KafkajsLong };
      const producerId = long.fromValue(input.producerId ?? -1).value;
      return Promise.resolve(
        asEncoder(
          encodeProduce(
            acks,
            timeout,
            transactionalId,
            producerId,
            input.producerEpoch ?? 0,
            topicData,
          ),
        ),
      );
    },
  };
}

function hasNoTimestamps(topic: ProduceRequestInput['topicData'][number]): boolean {
  return topic.partitions.every((p) => p.messages.every((m) => m.timestamp == null));
}

function encodeProduce(
  acks: number,
  timeout: number,
  transactionalId: string | null,
  producerId: bigint,
  producerEpoch: number,
  topicData: ProduceRequestInput['topicData'],
): Buffer {
  // kafkajs stamps a batch without timestamps with the time it encodes it.
  const now = Date.now();
  const batches: { topic: number; partition: number; records: Buffer[]; bytes: number }[] = [];
  let size = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
  for (let t = 0; t < topicData.length; t++) {
    const topic = topicData[t];
    if (topic === undefined) continue;
    size += 2 + Buffer.byteLength(topic.topic) + 4;
    for (const partition of topic.partitions) {
      const records: Buffer[] = [];
      let bytes = 0;
      for (let i = 0; i < partition.messages.length; i++) {
        const message = partition.messages[i];
        if (message === undefined) continue;
        const record = encodeRecord({
          key: message.key,
          value: message.value,
          headers: message.headers,
          offsetDelta: i,
          timestampDelta: 0,
        }).buffer;
        records.push(record);
        bytes += record.length;
      }
      batches.push({ topic: t, partition: partition.partition, records, bytes });
      // partition, record set size, then the record set.
      size += 4 + 4 + BATCH_HEADER_BYTES + bytes;
    }
  }
  const buf = Buffer.allocUnsafe(size);
  let at = writeString(buf, 0, transactionalId);
  at = buf.writeInt16BE(acks, at);
  at = buf.writeInt32BE(timeout, at);
  at = buf.writeInt32BE(topicData.length, at);
  let b = 0;
  for (let t = 0; t < topicData.length; t++) {
    const topic = topicData[t];
    if (topic === undefined) continue;
    at = writeString(buf, at, topic.topic);
    at = buf.writeInt32BE(topic.partitions.length, at);
    for (let p = 0; p < topic.partitions.length; p++) {
      const batch = batches[b++];
      const partition = topic.partitions[p];
      if (batch === undefined || partition === undefined) continue;
      const batchLength = BATCH_HEADER_BYTES - 12 + batch.bytes;
      at = buf.writeInt32BE(batch.partition, at);
      at = buf.writeInt32BE(12 + batchLength, at); // the record set: first offset, length, batch
      at = buf.writeBigInt64BE(0n, at); // first offset
      at = buf.writeInt32BE(batchLength, at);
      at = buf.writeInt32BE(0, at); // partition leader epoch
      at = buf.writeInt8(MAGIC_BYTE, at);
      const crcAt = at;
      const body = crcAt + 4;
      // kafkajs marks a batch transactional for any non-empty transactional id.
      at = buf.writeInt16BE(transactionalId ? TRANSACTIONAL_ATTRIBUTE : 0, body);
      at = buf.writeInt32BE(batch.records.length - 1, at); // last offset delta
      at = buf.writeBigInt64BE(BigInt(now), at); // first timestamp
      at = buf.writeBigInt64BE(BigInt(now), at); // max timestamp
      at = buf.writeBigInt64BE(BigInt.asIntN(64, producerId), at);
      at = buf.writeInt16BE(producerEpoch, at);
      at = buf.writeInt32BE(partition.firstSequence ?? 0, at);
      at = buf.writeInt32BE(batch.records.length, at);
      for (const record of batch.records) at += record.copy(buf, at);
      buf.writeUInt32BE(crc32c(buf, body, at), crcAt);
    }
  }
  return buf;
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), eight bytes a step ("slicing-by-8"):
// kafkajs' one-byte-a-step loop was the costliest part of encoding a batch.
const CRC_TABLES = ((): Int32Array[] => {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const [first] = tables as [Int32Array];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    first[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n] ?? 0;
    for (let t = 1; t < 8; t++) {
      c = (first[c & 0xff] ?? 0) ^ (c >>> 8);
      (tables[t] as Int32Array)[n] = c;
    }
  }
  return tables;
})();

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC_TABLES as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  let crc = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const low =
      crc ^
      ((buf[i] as number) |
        ((buf[i + 1] as number) << 8) |
        ((buf[i + 2] as number) << 16) |
        ((buf[i + 3] as number) << 24));
    crc =
      (t7[low & 0xff] as number) ^
      (t6[(low >>> 8) & 0xff] as number) ^
      (t5[(low >>> 16) & 0xff] as number) ^
      (t4[low >>> 24] as number) ^
      (t3[buf[i + 4] as number] as number) ^
      (t2[buf[i + 5] as number] as number) ^
      (t1[buf[i + 6] as number] as number) ^
      (t0[buf[i + 7] as number] as number);
  }
  for (; i < end; i++) crc = (t0[(crc ^ (buf[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

// A record batch before its records: first offset (8), length (4), leader epoch (4), magic (1),
// CRC (4), attributes (2), last offset delta (4), timestamps (16), producer id (8) and epoch (2),
// first sequence (4), record count (4).
const BATCH_HEADER_BYTES = 61;

function writeString(buf: Buffer, at: number, value: string | null): number {
  if (value === null) return buf.writeInt16BE(-1, at);
  const start = buf.writeInt16BE(Buffer.byteLength(value), at);
  return start + buf.write(value, start);
}

/**
 * Encodes one record (Kafka's record format v2, uncompressed) as kafkajs' `Record` does, into an
 * object that kafkajs' record batch accepts as an `Encoder`.
 */
export function encodeRecord(input: RecordInput): EncodedRecord {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = input;
  const names = Object.keys(headers);
  let headerCount = 0;
  let headerBytes = 0;
  let usual = isUsual(timestampDelta, offsetDelta) && isBytes(key) && isBytes(value);
  for (const name of names) {
    const entry = headers[name];
    if (Array.isArray(entry)) {
      for (const v of entry) {
        usual &&= isHeaderValue(v);
        headerBytes += headerSize(name, v);
      }
      headerCount += entry.length;
    } else {
      usual &&= isHeaderValue(entry);
      headerBytes += headerSize(name, entry);
      headerCount++;
    }
  }
  if (!usual) {
    // Whatever kafkajs does with it (encode or throw), it does here too.
    original ??= kafkajsRecordEncoder();
    return original(input);
  }
  const bodySize =
    1 +
    sizeOfVarLong(timestampDelta) +
    sizeOfVarInt(offsetDelta) +
    sizeOfBytes(key) +
    sizeOfBytes(value) +
    sizeOfVarInt(headerCount) +
    headerBytes;
  const buf = Buffer.allocUnsafe(sizeOfVarInt(bodySize) + bodySize);
  let at = writeVarInt(buf, 0, bodySize);
  buf[at++] = 0; // attributes: none are used per record
  at = writeVarLong(buf, at, timestampDelta);
  at = writeVarInt(buf, at, offsetDelta);
  at = writeBytes(buf, at, key);
  at = writeBytes(buf, at, value);
  at = writeVarInt(buf, at, headerCount);
  for (const name of names) {
    const entry = headers[name];
    if (Array.isArray(entry)) {
      for (const v of entry) at = writeHeader(buf, at, name, v);
    } else {
      at = writeHeader(buf, at, name, entry);
    }
  }
  return asEncoder(buf);
}

/**
 * Makes kafkajs' produce requests use {@link produceRequest} and {@link encodeRecord}.
 * @returns whether they are in place: `false` on another kafkajs version, when kafkajs' produce
 *   request was loaded before this call, or where the module cache cannot be written (jest).
 */
export function installProduceEncoder(): boolean {
  try {
    const version = (kafkajsRequire('./package.json') as { version: string }).version;
    if (version !== KAFKAJS_VERSION) return false;
    const cache = kafkajsRequire.cache;
    const recordPath = kafkajsRequire.resolve(RECORD_MODULE);
    const producePath = kafkajsRequire.resolve(PRODUCE_REQUEST_MODULE);
    if (cache[producePath]?.exports === produceRequest) return true;
    if (cache[producePath] !== undefined) return false;
    original = kafkajsRecordEncoder();
    originalProduce = kafkajsProduceRequest();
    cache[recordPath] = loadedModule(recordPath, encodeRecord);
    cache[producePath] = loadedModule(producePath, produceRequest);
    return kafkajsRequire(PRODUCE_REQUEST_MODULE) === produceRequest;
  } catch {
    return false;
  }
}

function loadedModule(path: string, exports: unknown): NodeJS.Module {
  // A module record as the loader would make it, already loaded.
  const { Module } = kafkajsRequire('node:module') as {
    Module: new (id: string) => NodeJS.Module & { filename: string; loaded: boolean };
  };
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = exports;
  return module;
}

function loadFresh(relative: string): unknown {
  const path = kafkajsRequire.resolve(relative);
  const cache = kafkajsRequire.cache;
  const cached = cache[path];
  if (
    cached !== undefined &&
    cached.exports !== encodeRecord &&
    cached.exports !== produceRequest
  ) {
    return cached.exports;
  }
  // Load the file itself even while the cache holds this encoder in its place.
  Reflect.deleteProperty(cache, path);
  try {
    return kafkajsRequire(relative);
  } finally {
    if (cached !== undefined) cache[path] = cached;
  }
}

function asEncoder(buf: Buffer): EncodedRecord {
  encoderPrototype ??= (kafkajsRequire(ENCODER_MODULE) as { prototype: object }).prototype;
  // kafkajs' Encoder reads `buf` and `offset` (its `buffer` getter slices them): no allocation.
  const encoder = Object.create(encoderPrototype) as EncodedRecord;
  encoder.buf = buf;
  encoder.offset = buf.length;
  return encoder;
}

/** Deltas this encoder writes exactly: the zigzag of the timestamp delta must stay below 2^53. */
function isUsual(timestampDelta: number, offsetDelta: number): boolean {
  return (
    Number.isInteger(timestampDelta) &&
    Math.abs(timestampDelta) < 2 ** 52 &&
    Number.isInteger(offsetDelta) &&
    offsetDelta >= 0 &&
    offsetDelta < 2 ** 31
  );
}

function isBytes(data: unknown): data is Buffer | string | null | undefined {
  return data === null || data === undefined || typeof data === 'string' || Buffer.isBuffer(data);
}

/** kafkajs sizes header values with `Buffer.byteLength`: only strings and buffers encode. */
function isHeaderValue(data: unknown): boolean {
  return typeof data === 'string' || Buffer.isBuffer(data);
}

function byteLengthOf(data: Buffer | string): number {
  return typeof data === 'string' ? utf8Length(data) : data.length;
}

function sizeOfBytes(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 1; // varint -1
  const length = byteLengthOf(data);
  return sizeOfVarInt(length) + length;
}

function headerSize(name: string, value: unknown): number {
  const nameLength = utf8Length(name);
  return (
    sizeOfVarInt(nameLength) +
    nameLength +
    (isHeaderValue(value) ? sizeOfBytes(value as Buffer | string) : 0)
  );
}

function writeHeader(
  buf: Buffer,
  at: number,
  name: string,
  value: Buffer | string | undefined,
): number {
  return writeBytes(buf, writeBytes(buf, at, name), value);
}

function writeBytes(buf: Buffer, at: number, data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return writeVarInt(buf, at, -1);
  if (typeof data === 'string') {
    const length = utf8Length(data);
    return writeUtf8(buf, writeVarInt(buf, at, length), data, length);
  }
  const start = writeVarInt(buf, at, data.length);
  return start + data.copy(buf, start);
}

// Hono's header names and most of their values are short ASCII strings: measuring and copying
// those in JS is several times cheaper than Buffer's native calls.
const SHORT = 64;

function utf8Length(text: string): number {
  if (text.length > SHORT) return Buffer.byteLength(text, 'utf8');
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.byteLength(text, 'utf8');
  }
  return text.length;
}

/** Writes `text` of `length` UTF-8 bytes (equal to its length only when it is ASCII). */
function writeUtf8(buf: Buffer, at: number, text: string, length: number): number {
  if (length !== text.length || length > SHORT) return at + buf.write(text, at, length, 'utf8');
  for (let i = 0; i < length; i++) buf[at + i] = text.charCodeAt(i);
  return at + length;
}

// Zigzag varints as kafkajs writes them: 32-bit for lengths and offsets (`value << 1` wraps
// exactly as in kafkajs), 64-bit for the timestamp delta.

function sizeOfVarInt(value: number): number {
  let encoded = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (encoded >= 0x80) {
    encoded >>>= 7;
    bytes++;
  }
  return bytes;
}

function writeVarInt(buf: Buffer, at: number, value: number): number {
  let encoded = ((value << 1) ^ (value >> 31)) >>> 0;
  while (encoded >= 0x80) {
    buf[at++] = (encoded & 0x7f) | 0x80;
    encoded >>>= 7;
  }
  buf[at++] = encoded;
  return at;
}

/** Zigzag of a safe integer as a (non-negative, exact) double. */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function sizeOfVarLong(value: number): number {
  let encoded = zigzag64(value);
  let bytes = 1;
  while (encoded >= 0x80) {
    encoded = Math.floor(encoded / 0x80);
    bytes++;
  }
  return bytes;
}

function writeVarLong(buf: Buffer, at: number, value: number): number {
  let encoded = zigzag64(value);
  while (encoded >= 0x80) {
    buf[at++] = (encoded % 0x80) | 0x80;
    encoded = Math.floor(encoded / 0x80);
  }
  buf[at++] = encoded;
  return at;
}
