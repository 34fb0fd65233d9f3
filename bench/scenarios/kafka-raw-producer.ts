// Baselines measure the raw driver on purpose; STYLE.md §3.2 confines kafkajs to libs, not bench.
// eslint-disable-next-line no-restricted-imports
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';

import { measureLoop, requireEnv, type Scenario } from '../harness';

const VALUE = Buffer.alloc(1024, 'x');
const KEYS = 1000;

/**
 * Raw kafkajs producer with the settings of @tessera/messaging-kafka's KafkaSender (idempotent,
 * acks=all, one in-flight request, one record per send), so an adapter scenario's ratio to it is
 * the adapter's own overhead. Keep the two in step.
 */
export function kafkaRawProducerBaseline(concurrency: number): Scenario {
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  const topic = `bench.raw-producer.c${String(concurrency)}.${String(Date.now())}`;
  return {
    name: `baseline:kafka-raw-producer/c${String(concurrency)}`,
    skipReason: requireEnv('KAFKA_BROKERS'),
    async setup() {
      const kafka = new Kafka({
        clientId: 'tessera-bench',
        brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
        connectionTimeout: 3_000,
        logLevel: logLevel.NOTHING,
      });
      admin = kafka.admin();
      await admin.connect();
      // A fresh single-partition topic: no leftover data, and the broker's auto-create default.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      await producer.connect();
    },
    async run(ctx) {
      const send = (seq: number) =>
        producer!.send({
          topic,
          acks: -1,
          messages: [{ key: `device-${String(seq % KEYS)}`, value: VALUE }],
        });
      const m = await measureLoop(send, {
        concurrency,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      });
      return { ...m, extra: { concurrency, valueBytes: VALUE.length, maxInFlightRequests: 1 } };
    },
    async teardown() {
      await producer?.disconnect();
      await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin?.disconnect();
    },
  };
}
