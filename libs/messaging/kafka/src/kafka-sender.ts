import type {
  Kafka,
  Message as KafkaRecord,
  Producer,
  ProducerConfig,
  TopicMessages,
} from 'kafkajs';

import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';
import { injectTraceContext } from '@tessera/telemetry';

import { createKafka, type KafkaConnectionOptions } from './kafka.config';
import { toKafkaHeaders } from './kafka-headers.codec';
import { translateKafkaError } from './kafka-error.translator';
import { installProduceEncoder } from './produce-encoder';

/** How KafkaSender coalesces concurrent sends into produce requests. */
export interface KafkaSenderOptions {
  /** Most records in one produce request (default 1,000). */
  readonly maxBatchRecords?: number;
  /** Most bytes (keys, values, headers, estimated) in one produce request (default 1 MiB). A larger record goes alone. */
  readonly maxBatchBytes?: number;
  /** Builds the producer; a seam for unit tests (default: the kafkajs producer of the client). */
  readonly producerFactory?: (config: ProducerConfig) => Producer;
}

interface Queued {
  readonly topic: string;
  readonly record: KafkaRecord;
  readonly bytes: number;
  readonly timeoutMs: number;
  /** When a record not yet sent is dropped (epoch ms). */
  readonly deadline: number;
  /** Only for a caller awaiting the ack: rejects it on time even while its batch is in flight. */
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  resolve: () => void;
  reject: (error: MessagingError) => void;
}

const ignore = (): void => undefined;

// Per-record framing the byte estimate adds (offset/timestamp deltas, lengths, attributes).
const RECORD_OVERHEAD_BYTES = 32;

/**
 * Produces to Kafka topics. The idempotent producer with `acks=all` is used for everything
 * (Hono's event and notification path); `awaitAck: false` only stops the caller from waiting.
 *
 * Why batching: with the idempotent producer and one request in flight (which keeps the order per
 * partition), kafkajs manages only ~3.4k produce requests/s, whatever the concurrency. So records
 * are queued, and whenever no request is in flight everything queued (bounded by
 * `maxBatchRecords`/`maxBatchBytes`) goes out as one `sendBatch` across topics. There is no linger:
 * a lone send goes out at once, and the batch size follows the load. Every caller gets the outcome
 * of the batch its record went in; a caller whose timeout expires gets TIMEOUT (retryable), and its
 * record is dropped if it has not been sent yet (if it has, it may still be delivered).
 */
export class KafkaSender extends MessageSender {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private connected: Promise<void> | undefined;
  private queue: Queued[] = [];
  // Callers not waiting for an ack who wait for room in the queue instead (backpressure).
  private roomWaiters: (() => void)[] = [];
  private flushing: Promise<void> | undefined;
  private stopping = false;
  // When the last queued caller's timeout expires: stop() waits for the queue no longer than that.
  private lastDeadline = 0;

  constructor(
    options: KafkaConnectionOptions,
    private readonly defaultTimeoutMs = 10_000,
    batching: KafkaSenderOptions = {},
  ) {
    super();
    // Before the first produce request: kafkajs loads its encoder then (see produce-encoder.ts).
    installProduceEncoder();
    this.maxBatchRecords = Math.max(1, batching.maxBatchRecords ?? 1_000);
    this.maxBatchBytes = Math.max(1, batching.maxBatchBytes ?? 1024 * 1024);
    this.kafka = createKafka(options);
    // Finite retries: an unreachable broker must surface as an error (HTTP 503), not hang forever.
    const config: ProducerConfig = {
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    };
    this.producer = batching.producerFactory
      ? batching.producerFactory(config)
      : this.kafka.producer(config);
    this.producer.on('producer.disconnect', () => {
      this.connected = undefined;
    });
  }

  async start(): Promise<void> {
    await this.connect();
  }

  /** Sends what is queued first (waiting at most until the callers' timeouts), then disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.drain();
      // Only callers whose timeout is due this very moment can be left; the in-flight batch (if
      // the wait gave up on it) is failed by the disconnect.
      const left = this.queue;
      this.queue = [];
      this.releaseRoom();
      const closed = new MessagingError('CLOSED', 'Kafka sender stopped', true);
      for (const entry of left) settle(entry, closed);
      this.connected = undefined;
      await this.producer.disconnect();
    } finally {
      this.stopping = false;
    }
  }

  async send(destination: string, message: Message, options: SendOptions): Promise<void> {
    if (this.stopping) {
      const closed = new MessagingError('CLOSED', 'Kafka sender is stopping', true);
      if (options.awaitAck) throw closed;
      return;
    }
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const headers = toKafkaHeaders(message);
    // The caller's trace goes on to the backend (W3C traceparent header), unless the message has one.
    if (headers['traceparent'] === undefined) {
      injectTraceContext(headers as Record<string, string>);
    }
    const record: KafkaRecord = {
      key: message.key ?? null,
      value: message.body ?? null,
      headers,
    };
    const deadline = Date.now() + timeoutMs;
    this.lastDeadline = Math.max(this.lastDeadline, deadline);
    const entry: Queued = {
      topic: destination,
      record,
      bytes: recordBytes(record),
      timeoutMs,
      deadline,
      timer: undefined,
      settled: false,
      resolve: ignore,
      reject: ignore,
    };
    if (!options.awaitAck) {
      // Nobody waits for the outcome: no promise, no timer (takeBatch drops it once too late).
      this.queue.push(entry);
      this.pump();
      // "Handed to the transport" means room in a bounded queue: a flood of unacknowledged sends
      // waits here instead of growing the queue (and the heap) faster than Kafka drains it.
      if (this.queue.length > this.maxBatchRecords) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      return;
    }
    await new Promise<void>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
      // Still queued: dropped when a batch is taken. Already sent: the batch goes on.
      entry.timer = setTimeout(() => {
        settle(entry, timedOut(timeoutMs));
      }, timeoutMs);
      this.queue.push(entry);
      this.pump();
    });
  }

  private releaseRoom(): void {
    if (this.queue.length > this.maxBatchRecords || this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pump(): void {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      this.pump();
    });
  }

  private async flush(): Promise<void> {
    try {
      // Sends made while connecting (or in the same tick) join this batch.
      await this.connect();
    } catch (e: unknown) {
      // Everyone queued was waiting for this connection attempt, as before batching.
      const error = translateKafkaError(e);
      const failed = this.queue;
      this.queue = [];
      this.releaseRoom();
      for (const entry of failed) settle(entry, error);
      return;
    }
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const byTopic = new Map<string, KafkaRecord[]>();
    let timeout = 0;
    for (const entry of batch) {
      let records = byTopic.get(entry.topic);
      if (!records) {
        records = [];
        byTopic.set(entry.topic, records);
      }
      records.push(entry.record);
      timeout = Math.max(timeout, entry.timeoutMs);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    try {
      await this.producer.sendBatch({ topicMessages, acks: -1, timeout });
    } catch (e: unknown) {
      const error = translateKafkaError(e);
      for (const entry of batch) settle(entry, error);
      return;
    }
    for (const entry of batch) settle(entry);
  }

  /** Takes the oldest queued records still awaited, within the batch bounds (at least one). */
  private takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = 0;
    let taken = 0;
    const now = Date.now();
    for (const entry of this.queue) {
      if (batch.length >= this.maxBatchRecords) break;
      if (!entry.settled && entry.deadline <= now) settle(entry, timedOut(entry.timeoutMs));
      if (!entry.settled) {
        if (batch.length > 0 && bytes + entry.bytes > this.maxBatchBytes) break;
        batch.push(entry);
        bytes += entry.bytes;
      }
      taken++;
    }
    this.queue = this.queue.slice(taken);
    this.releaseRoom();
    return batch;
  }

  private async drain(): Promise<void> {
    const giveUp = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, this.lastDeadline - Date.now()));
      timer.unref();
    });
    while (this.flushing) {
      const flushing = this.flushing;
      const ended = await Promise.race([flushing.then(() => true), giveUp.then(() => false)]);
      // After the last deadline every caller has its answer; the in-flight batch ends with disconnect.
      if (!ended) return;
    }
  }

  private connect(): Promise<void> {
    if (!this.connected) {
      const attempt = this.producer.connect().catch((e: unknown) => {
        this.connected = undefined;
        throw translateKafkaError(e);
      });
      this.connected = attempt;
    }
    return this.connected;
  }
}

function timedOut(timeoutMs: number): MessagingError {
  return new MessagingError(
    'TIMEOUT',
    `Kafka did not acknowledge within ${String(timeoutMs)} ms`,
    true,
  );
}

function settle(entry: Queued, error?: MessagingError): void {
  if (entry.settled) return;
  entry.settled = true;
  if (entry.timer !== undefined) clearTimeout(entry.timer);
  if (error) entry.reject(error);
  else entry.resolve();
}

function recordBytes(record: KafkaRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(record.key) + byteLength(record.value);
  const headers = record.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      bytes += Buffer.byteLength(name) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
  }
  return bytes;
}

function byteLength(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
