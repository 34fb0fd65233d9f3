import { createRequire } from 'node:module';

/**
 * A faster encoder for kafkajs' produce path, byte for byte the same as its own.
 *
 * Why: kafkajs (2.2.4, its last release) encodes each record with a fresh `Encoder` per record
 * and per header, and each of those zero-fills a 512-byte buffer. With Hono's seven or so
 * headers a record cost the HTTP adapter about 30 µs of CPU, a fifth of a telemetry request.
 * This encoder sizes the record first and writes it into one buffer from Node's pool.
 *
 * How: kafkajs loads its produce request lazily, on the first produce. {@link installRecordEncoder}
 * puts this encoder in the module cache under the path of kafkajs' record module before that, so
 * the produce request picks it up. It installs only on the kafkajs version it was checked
 * against, and only while the produce request is not loaded yet; otherwise kafkajs' own encoder
 * stays in place. Records it does not expect (a timestamp delta beyond ±2^52, keys, values or
 * header values of other types) go to kafkajs' own encoder.
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

type RecordEncoder = (input: RecordInput) => EncodedRecord;

const kafkajsRequire = createRequire(require.resolve('kafkajs'));
const RECORD_MODULE = './src/protocol/recordBatch/record/v0/index.js';
const PRODUCE_REQUEST_MODULE = './src/protocol/requests/produce/v3/request.js';
const ENCODER_MODULE = './src/protocol/encoder.js';

/** kafkajs' own record encoder (loaded from its file, whatever the module cache holds). */
export function kafkajsRecordEncoder(): RecordEncoder {
  return loadFresh(RECORD_MODULE) as RecordEncoder;
}

let original: RecordEncoder | undefined;
let encoderPrototype: object | undefined;

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
 * Makes kafkajs' produce requests use {@link encodeRecord}.
 * @returns whether it is in place: `false` on another kafkajs version, when the produce request
 *   was loaded before this call, or where the module cache cannot be written (jest).
 */
export function installRecordEncoder(): boolean {
  try {
    const version = (kafkajsRequire('./package.json') as { version: string }).version;
    if (version !== KAFKAJS_VERSION) return false;
    const recordPath = kafkajsRequire.resolve(RECORD_MODULE);
    const cache = kafkajsRequire.cache;
    const cached = cache[recordPath];
    if (cached?.exports === encodeRecord) return true;
    if (cache[kafkajsRequire.resolve(PRODUCE_REQUEST_MODULE)] !== undefined) return false;
    original = kafkajsRecordEncoder();
    const module = loadModule(recordPath);
    module.exports = encodeRecord;
    cache[recordPath] = module;
    return kafkajsRequire(RECORD_MODULE) === encodeRecord;
  } catch {
    return false;
  }
}

function loadModule(path: string): NodeJS.Module {
  // A module record as the loader would make it, already loaded.
  const { Module } = kafkajsRequire('node:module') as {
    Module: new (id: string) => NodeJS.Module & { filename: string; loaded: boolean };
  };
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  return module;
}

function loadFresh(relative: string): unknown {
  const path = kafkajsRequire.resolve(relative);
  const cache = kafkajsRequire.cache;
  const cached = cache[path];
  if (cached !== undefined && cached.exports !== encodeRecord) return cached.exports;
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
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

function sizeOfBytes(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 1; // varint -1
  const length = byteLengthOf(data);
  return sizeOfVarInt(length) + length;
}

function headerSize(name: string, value: unknown): number {
  const nameLength = Buffer.byteLength(name, 'utf8');
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
    const length = Buffer.byteLength(data, 'utf8');
    const start = writeVarInt(buf, at, length);
    return start + buf.write(data, start, length, 'utf8');
  }
  const start = writeVarInt(buf, at, data.length);
  return start + data.copy(buf, start);
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
