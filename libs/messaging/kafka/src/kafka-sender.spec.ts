import type { Producer, ProducerBatch, ProducerConfig } from 'kafkajs';

import { MessagingError } from '@tessera/messaging';

import { KafkaSender, type KafkaSenderOptions } from './kafka-sender';

interface Call {
  readonly batch: ProducerBatch;
  resolve(): void;
  reject(error: unknown): void;
}

/** A kafkajs producer whose produce requests stay open until the test answers them. */
class StubProducer {
  readonly calls: Call[] = [];
  config: ProducerConfig | undefined;
  connectError: Error | undefined;
  connects = 0;
  disconnects = 0;
  private waiters: (() => void)[] = [];

  on(): () => void {
    return () => undefined;
  }

  connect(): Promise<void> {
    this.connects++;
    return this.connectError === undefined ? Promise.resolve() : Promise.reject(this.connectError);
  }

  disconnect(): Promise<void> {
    this.disconnects++;
    for (const call of this.calls) call.reject(new Error('disconnected'));
    return Promise.resolve();
  }

  sendBatch(batch: ProducerBatch): Promise<[]> {
    return new Promise((resolve, reject) => {
      this.calls.push({
        batch,
        resolve: () => {
          resolve([]);
        },
        reject,
      });
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  /** Resolves once `n` produce requests were made. */
  async requests(n: number): Promise<Call[]> {
    while (this.calls.length < n) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.calls;
  }

  /** Topic and keys of request `i`. */
  keys(i: number): [string, string[]][] {
    return (this.calls[i]?.batch.topicMessages ?? []).map((t) => [
      t.topic,
      t.messages.map((m) => String(m.key)),
    ]);
  }
}

function setup(options: Omit<KafkaSenderOptions, 'producerFactory'> = {}, timeoutMs = 5_000) {
  const producer = new StubProducer();
  const sut = new KafkaSender({ brokers: ['127.0.0.1:1'], clientId: 'unit' }, timeoutMs, {
    ...options,
    producerFactory: (config) => {
      producer.config = config;
      return producer as unknown as Producer;
    },
  });
  return { producer, sut };
}

const msg = (key: string) => ({ key, body: Buffer.from(key), properties: { device_id: key } });
const ack = { awaitAck: true } as const;

describe(KafkaSender.name, () => {
  it('keeps the idempotent, single-in-flight producer', () => {
    const { producer } = setup();
    expect(producer.config).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
  });

  it('sends what was queued while a request was in flight as one acks=all batch across topics', async () => {
    const { producer, sut } = setup();
    const first = sut.send('t1', msg('a'), ack);
    const [call0] = await producer.requests(1);
    const rest = [
      sut.send('t1', msg('b'), ack),
      sut.send('t2', msg('c'), ack),
      sut.send('t1', msg('d'), ack),
    ];
    await Promise.resolve();
    expect(producer.calls).toHaveLength(1);

    call0?.resolve();
    await first;
    const calls = await producer.requests(2);
    expect(producer.keys(1)).toEqual([
      ['t1', ['b', 'd']],
      ['t2', ['c']],
    ]);
    expect(calls[1]?.batch).toMatchObject({ acks: -1, timeout: 5_000 });
    expect(calls[1]?.batch.topicMessages?.[0]?.messages[0]).toMatchObject({
      key: 'b',
      value: Buffer.from('b'),
      headers: { device_id: 'b' },
    });
    calls[1]?.resolve();
    await expect(Promise.all(rest)).resolves.toBeDefined();
  });

  it('makes unacknowledged senders wait for room once more than a batch is queued', async () => {
    const { producer, sut } = setup({ maxBatchRecords: 2 });
    const fire = { awaitAck: false } as const;
    await sut.send('t', msg('a'), fire); // goes out at once
    const [call0] = await producer.requests(1);
    await sut.send('t', msg('b'), fire);
    await sut.send('t', msg('c'), fire);
    let fourth = false;
    const waiting = sut.send('t', msg('d'), fire).then(() => {
      fourth = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourth).toBe(false); // three queued > two per batch: no room
    call0?.resolve();
    await waiting; // the next batch took two: room again
    expect(fourth).toBe(true);
    expect(producer.keys(1)).toEqual([['t', ['b', 'c']]]);
  });

  it('bounds a batch by records and by bytes, keeping the order', async () => {
    const { producer, sut } = setup({ maxBatchRecords: 2, maxBatchBytes: 300 });
    const big = { key: 'big', body: Buffer.alloc(400) };
    const sends = [
      sut.send('t', msg('a'), ack),
      sut.send('t', msg('b'), ack),
      sut.send('t', msg('c'), ack),
      sut.send('t', big, ack),
      sut.send('t', msg('e'), ack),
    ];
    for (let i = 0; i < 4; i++) {
      const calls = await producer.requests(i + 1);
      calls[i]?.resolve();
    }
    await Promise.all(sends);
    expect([0, 1, 2, 3].map((i) => producer.keys(i))).toEqual([
      [['t', ['a', 'b']]],
      [['t', ['c']]],
      [['t', ['big']]],
      [['t', ['e']]],
    ]);
  });

  it('rejects every caller of a failed batch with the translated error', async () => {
    const { producer, sut } = setup();
    const sends = [sut.send('t', msg('a'), ack), sut.send('u', msg('b'), ack)];
    const [call] = await producer.requests(1);
    call?.reject(Object.assign(new Error('leader moved'), { name: 'KafkaJSNotLeader' }));
    for (const send of sends) {
      await expect(send).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    }
    const rejected = sut.send('t', msg('c'), ack);
    (await producer.requests(2))[1]?.reject(
      Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', retriable: false }),
    );
    await expect(rejected).rejects.toMatchObject({ code: 'REJECTED', retryable: false });
  });

  it('treats a connection error that kafkajs gave up retrying as retryable', async () => {
    const { producer, sut } = setup();
    const send = sut.send('t', msg('a'), ack);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    (await producer.requests(1))[0]?.reject(
      Object.assign(new Error('connect ECONNREFUSED', { cause: refused }), {
        name: 'KafkaJSNonRetriableError',
        retriable: false,
      }),
    );
    await expect(send).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('times a caller out (retryable) and drops its record if not sent yet', async () => {
    const { producer, sut } = setup({}, 50);
    const first = sut.send('t', msg('a'), ack);
    await producer.requests(1);
    const late = sut.send('t', msg('b'), ack);
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    await expect(late).rejects.toBeInstanceOf(MessagingError);
    producer.calls[0]?.resolve();
    const next = sut.send('t', msg('c'), { awaitAck: true, timeoutMs: 5_000 });
    (await producer.requests(2))[1]?.resolve();
    await next;
    expect(producer.keys(1)).toEqual([['t', ['c']]]);
  });

  it('drops an unacknowledged record that waited past its timeout, and sends the rest', async () => {
    const { producer, sut } = setup();
    const first = sut.send('t', msg('a'), ack);
    await producer.requests(1);
    await sut.send('t', msg('late'), { awaitAck: false, timeoutMs: 10 });
    await sut.send('t', msg('on-time'), { awaitAck: false, timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    producer.calls[0]?.resolve();
    await first;
    (await producer.requests(2))[1]?.resolve();
    expect(producer.keys(1)).toEqual([['t', ['on-time']]]);
  });

  it('does not wait for awaitAck:false callers and swallows their errors', async () => {
    const { producer, sut } = setup();
    await sut.send('t', msg('a'), { awaitAck: false });
    const [call] = await producer.requests(1);
    call?.reject(new Error('boom'));
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('fails everyone queued when the connection cannot be made', async () => {
    const { producer, sut } = setup();
    producer.connectError = Object.assign(new Error('refused'), { name: 'KafkaJSConnectionError' });
    const sends = [sut.send('t', msg('a'), ack), sut.send('t', msg('b'), ack)];
    for (const send of sends) {
      await expect(send).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    }
    expect(producer.calls).toHaveLength(0);
    expect(producer.connects).toBe(1);
  });

  it('stop() sends what is queued before disconnecting, and refuses new sends meanwhile', async () => {
    const { producer, sut } = setup();
    const first = sut.send('t', msg('a'), ack);
    await producer.requests(1);
    await sut.send('t', msg('b'), { awaitAck: false });
    const stopped = sut.stop();
    await expect(sut.send('t', msg('c'), ack)).rejects.toMatchObject({ code: 'CLOSED' });
    producer.calls[0]?.resolve();
    (await producer.requests(2))[1]?.resolve();
    await stopped;
    await first;
    expect(producer.keys(1)).toEqual([['t', ['b']]]);
    expect(producer.disconnects).toBe(1);
  });

  it('stop() gives up on a hanging batch once every caller has timed out', async () => {
    const { producer, sut } = setup({}, 50);
    const send = sut.send('t', msg('a'), ack);
    await producer.requests(1);
    await expect(send).rejects.toMatchObject({ code: 'TIMEOUT' });
    await sut.stop();
    expect(producer.disconnects).toBe(1);
  });
});
