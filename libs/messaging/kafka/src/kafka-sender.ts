import type { Kafka, Producer } from 'kafkajs';

import { type Message, MessageSender, MessagingError, type SendOptions } from '@tessera/messaging';

import { createKafka, type KafkaConnectionOptions } from './kafka.config';
import { toKafkaHeaders } from './kafka-headers.codec';
import { translateKafkaError } from './kafka-error.translator';

/**
 * Produces to Kafka topics. The idempotent producer with `acks=all` is used for everything
 * (Hono's event and notification path); `awaitAck: false` only stops the caller from waiting.
 */
export class KafkaSender extends MessageSender {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(
    options: KafkaConnectionOptions,
    private readonly defaultTimeoutMs = 10_000,
  ) {
    super();
    this.kafka = createKafka(options);
    // Finite retries: an unreachable broker must surface as an error (HTTP 503), not hang forever.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    this.producer.on('producer.disconnect', () => {
      this.connected = undefined;
    });
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.connected = undefined;
    await this.producer.disconnect();
  }

  async send(destination: string, message: Message, options: SendOptions): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const produce = (async () => {
      await this.connect();
      await this.producer.send({
        topic: destination,
        acks: -1,
        timeout: timeoutMs,
        messages: [
          {
            key: message.key ?? null,
            value: message.body ?? null,
            headers: toKafkaHeaders(message),
          },
        ],
      });
    })();
    const timed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new MessagingError(
            'TIMEOUT',
            `Kafka did not acknowledge within ${String(timeoutMs)} ms`,
            true,
          ),
        );
      }, timeoutMs);
      produce.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(translateKafkaError(e));
        },
      );
    });
    if (options.awaitAck) {
      await timed;
    } else {
      timed.catch(() => undefined);
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
