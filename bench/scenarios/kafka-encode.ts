import {
  kafkajsProduceRequest,
  produceRequest,
  type ProduceRequestInput,
} from '@tessera/messaging-kafka';

import { measureLoop, type Scenario } from '../harness';

// One produce request as the HTTP adapter sends it under load: 25 telemetry records of a tenant,
// 200-byte payloads, Hono's headers (what buildMessage and toKafkaHeaders produce).
const RECORDS = 25;

function adapterBatch(): ProduceRequestInput {
  const messages = Array.from({ length: RECORDS }, (_, i) => {
    const device = `device-${String(i % 10)}`;
    return {
      key: device,
      value: Buffer.alloc(200, 'x'),
      headers: {
        device_id: device,
        tenant_id: 'bench-tenant',
        orig_adapter: 'hono-http',
        orig_address: '/telemetry',
        qos: '1',
        'creation-time': String(Date.now()),
        'content-type': 'application/json',
      },
    };
  });
  return {
    acks: -1,
    timeout: 30_000,
    producerId: 4711,
    producerEpoch: 0,
    topicData: [
      {
        topic: 'hono.telemetry.bench-tenant',
        partitions: [{ partition: 0, firstSequence: 0, messages }],
      },
    ],
  };
}

/**
 * Encoding one produce request of 25 records (CPU only, no broker): kafkajs' own encoder as the
 * baseline, and the byte-identical one @tessera/messaging-kafka installs in its place
 * (`produce-encoder.ts`). One operation is one request; records/s = ops/s × 25.
 */
export function kafkaEncodeScenario(encoder: 'kafkajs' | 'tessera'): Scenario {
  const input = adapterBatch();
  const encode = encoder === 'kafkajs' ? kafkajsProduceRequest() : produceRequest;
  return {
    name: encoder === 'kafkajs' ? 'baseline:kafkajs-produce-encode' : 'kafka-produce-encode',
    ...(encoder === 'tessera' && { baseline: 'baseline:kafkajs-produce-encode' }),
    run: async (ctx) => {
      const m = await measureLoop(() => encode(input).encode(), {
        concurrency: 1,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      });
      m.extra = {
        ...m.extra,
        records: RECORDS,
        usPerRecord: Math.round(1e7 / m.opsPerSec / RECORDS) / 10,
      };
      return m;
    },
  };
}
