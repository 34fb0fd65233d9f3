import { type Message, retry } from '@tessera/messaging';
import { type PrivateKafka, privateKafka, runProgram, uniqueId } from '@tessera/testing';

import { ensureTopics } from './kafka-admin';
import { KafkaSender } from './kafka-sender';

// A broker of this test's own (deploy/local/infra.sh in a private state dir): stopping it leaves
// the shared servers alone.
describe('KafkaSender across a broker outage', () => {
  const topic = uniqueId('hono.event.outage');
  let kafka: PrivateKafka | undefined;
  let sender: KafkaSender | undefined;

  beforeAll(async () => {
    kafka = await privateKafka({ timeoutMs: 120_000 });
    const options = { brokers: kafka.brokers, clientId: 'outage-test', connectionTimeoutMs: 500 };
    await ensureTopics(options, [topic]);
    sender = new KafkaSender(options, 3_000);
    await sender.start();
  }, 150_000);

  afterAll(async () => {
    await sender?.stop().catch(() => undefined);
    await kafka?.down();
  }, 120_000);

  const message = (n: number): Message => ({
    key: `device-${String(n % 10)}`,
    body: Buffer.from(`m${String(n)}`),
    properties: { seq: n },
  });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('fails sends with a retryable error while the broker is down, and delivers again once it is back', async () => {
    const s = sender!;
    const k = kafka!;
    await Promise.all(range(0, 100).map((n) => s.send(topic, message(n), { awaitAck: true })));

    await k.stop();
    await expect(s.send(topic, message(100), { awaitAck: true })).rejects.toMatchObject({
      retryable: true,
    });

    await k.start();
    // The producer reconnects by itself; a caller retries what failed meanwhile.
    await Promise.all(
      range(101, 200).map((n) =>
        retry(() => s.send(topic, message(n), { awaitAck: true }), {
          maxAttempts: 20,
          initialDelayMs: 200,
          maxDelayMs: 2_000,
        }),
      ),
    );

    const read = await runProgram('kcat', [
      ...['-b', k.brokers.join(','), '-C', '-t', topic, '-o', 'beginning', '-e', '-q'],
      ...['-f', '%k %s\n'],
    ]);
    expect(read.code).toBe(0);
    const seqs = new Set(
      read.stdout
        .trim()
        .split('\n')
        .map((line) => Number(line.split(' ')[1]?.slice(1))),
    );
    // At least once: the record sent during the outage may or may not have been written.
    seqs.delete(100);
    expect([...seqs].sort((a, b) => a - b)).toEqual([...range(0, 100), ...range(101, 200)]);
  }, 150_000);
});
