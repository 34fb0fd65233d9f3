// Only to delete the scenario's topic afterwards; the measured path goes through KafkaSender.
// eslint-disable-next-line no-restricted-imports
import { Kafka, logLevel } from 'kafkajs';

import { ensureTopics, KafkaSender } from '@tessera/messaging-kafka';

import { measureLoop, requireEnv, type Scenario } from '../harness';

// The payload and keys of baseline:kafka-raw-producer, so the ratio isolates the sender.
const VALUE = Buffer.alloc(1024, 'x');
const KEYS = 1000;

/**
 * KafkaSender (@tessera/messaging-kafka) with `awaitAck: true`, one message per `send()`, against
 * the raw producer sending one record per request with the same producer settings. At c=1 the
 * sender does the same work plus its queue; at c=100 concurrent sends share produce requests.
 */
export function kafkaSenderScenario(concurrency: number): Scenario {
  const brokers = () => (process.env['KAFKA_BROKERS'] ?? '').split(',');
  const topic = `bench.kafka-sender.c${String(concurrency)}.${String(Date.now())}`;
  let sender: KafkaSender | undefined;
  return {
    name: `kafka-sender/c${String(concurrency)}`,
    baseline: `baseline:kafka-raw-producer/c${String(concurrency)}`,
    // c=1: only the queue's overhead on top of the driver; c=100: batching must pay off.
    target: concurrency === 1 ? { minRatio: 0.8 } : { minRatio: 3 },
    skipReason: requireEnv('KAFKA_BROKERS'),
    async setup() {
      const options = { brokers: brokers(), clientId: 'tessera-bench' };
      await ensureTopics(options, [topic], 1);
      sender = new KafkaSender(options);
      await sender.start();
    },
    async run(ctx) {
      const s = sender!;
      const m = await measureLoop(
        (seq) =>
          s.send(topic, { key: `device-${String(seq % KEYS)}`, body: VALUE }, { awaitAck: true }),
        { concurrency, durationMs: ctx.durationMs, warmupMs: ctx.warmupMs },
      );
      return { ...m, extra: { concurrency, valueBytes: VALUE.length } };
    },
    async teardown() {
      await sender?.stop();
      const admin = new Kafka({
        clientId: 'tessera-bench',
        brokers: brokers(),
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
