import type { ReceivedMessage } from '@tessera/messaging';
import { infraEnv, runProgram, uniqueId } from '@tessera/testing';

import { committedOffset, ensureTopics } from './kafka-admin';
import { KafkaConsumer } from './kafka-consumer';
import { KafkaSender } from './kafka-sender';

const { kafkaBrokers } = infraEnv();
const options = { brokers: kafkaBrokers, clientId: 'tessera-int-test' };

function collect(count: number): {
  messages: ReceivedMessage[];
  done: Promise<void>;
  handler: (m: ReceivedMessage) => Promise<void>;
} {
  const messages: ReceivedMessage[] = [];
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    messages,
    done,
    handler: async (m) => {
      messages.push(m);
      if (messages.length >= count) resolve();
    },
  };
}

describe('Kafka through @tessera/messaging-kafka', () => {
  const topic = uniqueId('hono.event.smoke');
  const groupId = uniqueId('group');
  const sender = new KafkaSender(options);

  beforeAll(async () => {
    await ensureTopics(options, [topic]);
    await sender.start();
  });
  afterAll(async () => {
    await sender.stop();
  });

  it('produces keyed records with headers, consumes them in a group and resumes from the committed offset', async () => {
    for (const n of [1, 2, 3]) {
      await sender.send(
        topic,
        {
          key: `device-${String(n)}`,
          body: Buffer.from(`m${String(n)}`),
          contentType: 'text/plain',
          properties: { device_id: `device-${String(n)}`, qos: 1 },
        },
        { awaitAck: true },
      );
    }

    const first = collect(3);
    const consumer1 = new KafkaConsumer(options, groupId);
    await consumer1.subscribe(topic, first.handler, { fromBeginning: true });
    await first.done;
    await consumer1.stop();
    expect(
      first.messages.map((m) => [
        m.key,
        m.body?.toString(),
        m.properties?.['device_id'],
        m.contentType,
      ]),
    ).toEqual([
      ['device-1', 'm1', 'device-1', 'text/plain'],
      ['device-2', 'm2', 'device-2', 'text/plain'],
      ['device-3', 'm3', 'device-3', 'text/plain'],
    ]);
    expect(await committedOffset(options, groupId, topic)).toBe(3);

    for (const n of [4, 5]) {
      await sender.send(
        topic,
        { key: `device-${String(n)}`, body: Buffer.from(`m${String(n)}`) },
        { awaitAck: true },
      );
    }
    const second = collect(2);
    const consumer2 = new KafkaConsumer(options, groupId);
    await consumer2.subscribe(topic, second.handler, { fromBeginning: true });
    await second.done;
    // Give a wrongly rewound consumer the chance to deliver old records before checking.
    await new Promise((r) => setTimeout(r, 500));
    await consumer2.stop();
    expect(second.messages.map((m) => m.body?.toString())).toEqual(['m4', 'm5']);
  });

  it('writes records that kcat reads with the same keys and headers', async () => {
    const kcatTopic = uniqueId('hono.telemetry.kcat');
    await ensureTopics(options, [kcatTopic]);
    await sender.send(
      kcatTopic,
      {
        key: 'dev-k',
        body: Buffer.from('{"temp":5}'),
        contentType: 'application/json',
        properties: { tenant_id: 'tk' },
      },
      { awaitAck: true },
    );
    const kcat = await runProgram('kcat', [
      '-b',
      kafkaBrokers.join(','),
      '-C',
      '-t',
      kcatTopic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k|%s|%h\n',
    ]);
    expect(kcat.code).toBe(0);
    const [key, value, headers] = kcat.stdout.trim().split('|');
    expect(key).toBe('dev-k');
    expect(value).toBe('{"temp":5}');
    expect(headers?.split(',').sort()).toEqual(['content-type=application/json', 'tenant_id=tk']);
  });

  it('consumes what kcat produced', async () => {
    const kcatTopic = uniqueId('hono.event.fromkcat');
    await ensureTopics(options, [kcatTopic]);
    const produced = await runProgram(
      'kcat',
      ['-b', kafkaBrokers.join(','), '-P', '-t', kcatTopic, '-k', 'dev-p', '-H', 'device_id=dev-p'],
      {
        input: 'hello',
      },
    );
    expect(produced.code).toBe(0);
    const got = collect(1);
    const consumer = new KafkaConsumer(options, uniqueId('group'));
    await consumer.subscribe(kcatTopic, got.handler, { fromBeginning: true });
    await got.done;
    await consumer.stop();
    expect(got.messages[0]).toMatchObject({ key: 'dev-p', properties: { device_id: 'dev-p' } });
    expect(got.messages[0]?.body?.toString()).toBe('hello');
  });

  it('coalesces 2,000 concurrent sends into batches; every record arrives with key and headers', async () => {
    const manyTopic = uniqueId('hono.telemetry.batch');
    await ensureTopics(options, [manyTopic], 3);
    const count = 2_000;
    const keyOf = (n: number) => `device-${String(n % 50)}`;
    await Promise.all(
      Array.from({ length: count }, (_, n) =>
        sender.send(
          manyTopic,
          {
            key: keyOf(n),
            body: Buffer.from(`m${String(n)}`),
            contentType: 'text/plain',
            properties: { seq: n, tenant_id: 'tb' },
          },
          { awaitAck: true },
        ),
      ),
    );

    const got = collect(count);
    const consumer = new KafkaConsumer(options, uniqueId('group'));
    await consumer.subscribe(manyTopic, got.handler, { fromBeginning: true });
    await got.done;
    await consumer.stop();
    expect(got.messages).toHaveLength(count);
    const seen = new Set<number>();
    const lastPerKey = new Map<string, number>();
    for (const m of got.messages) {
      const seq = Number(m.properties?.['seq']);
      expect(m.body?.toString()).toBe(`m${String(seq)}`);
      expect([m.key, m.contentType, m.properties?.['tenant_id']]).toEqual([
        keyOf(seq),
        'text/plain',
        'tb',
      ]);
      // A key lives on one partition, whose order the sender keeps.
      expect(seq).toBeGreaterThan(lastPerKey.get(m.key ?? '') ?? -1);
      lastPerKey.set(m.key ?? '', seq);
      seen.add(seq);
    }
    expect(seen.size).toBe(count);
  });

  it('fails a send with a retryable error when no broker answers', async () => {
    const dead = new KafkaSender(
      { brokers: ['127.0.0.1:1'], clientId: 'dead', connectionTimeoutMs: 300 },
      2_000,
    );
    await expect(
      dead.send(topic, { body: Buffer.from('x') }, { awaitAck: true }),
    ).rejects.toMatchObject({ retryable: true });
    await dead.stop().catch(() => undefined);
  });
});
