import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import {
  crc32c,
  encodeRecord,
  kafkajsProduceRequest,
  kafkajsRecordEncoder,
  type ProduceRequestInput,
  produceRequest,
  type RecordInput,
} from './produce-encoder';

const kafkajs = kafkajsRecordEncoder();
const kafkajsProduce = kafkajsProduceRequest();

function bytesOf(input: RecordInput): { ours: string; theirs: string } {
  return {
    ours: encodeRecord(input).buffer.toString('hex'),
    theirs: kafkajs(input).buffer.toString('hex'),
  };
}

// A deterministic generator, so that a failure can be replayed.
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const SAMPLES = [
  '',
  'a',
  'device-4711',
  'ü',
  '日本語',
  '🙂 emoji',
  'x'.repeat(200),
  'x'.repeat(20_000),
];

describe('produce encoder', () => {
  it("writes Hono's telemetry record exactly as kafkajs does", () => {
    const input: RecordInput = {
      offsetDelta: 3,
      timestampDelta: 12,
      key: 'device-1',
      value: Buffer.from('{"temp":21.5}'),
      headers: {
        device_id: 'device-1',
        tenant_id: 'DEFAULT_TENANT',
        orig_adapter: 'hono-http',
        orig_address: '/telemetry',
        qos: '1',
        'creation-time': '1763800000000',
        'content-type': 'application/json',
      },
    };
    const { ours, theirs } = bytesOf(input);
    expect(ours).toBe(theirs);
  });

  it('matches kafkajs on 2,000 generated records (keys, values, headers, deltas, sizes)', () => {
    const random = generator(42);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const bytes = (): Buffer | string | null | undefined =>
      pick([
        null,
        undefined,
        pick(SAMPLES),
        Buffer.alloc(0),
        randomBytes(Math.floor(random() * 300)),
        randomBytes(70_000),
      ]);
    const mismatches: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const headers: Record<string, string | Buffer | (string | Buffer)[]> = {};
      const count = Math.floor(random() * 12);
      for (let h = 0; h < count; h++) {
        const name = `${pick(SAMPLES).slice(0, 50)}${String(h)}`;
        headers[name] =
          random() < 0.2
            ? [pick(SAMPLES), randomBytes(5)]
            : random() < 0.5
              ? pick(SAMPLES)
              : randomBytes(Math.floor(random() * 64));
      }
      const input: RecordInput = {
        offsetDelta: pick([0, 1, 63, 64, 127, 128, 8191, 8192, Math.floor(random() * 2 ** 31)]),
        timestampDelta: pick([
          0,
          1,
          -1,
          63,
          -64,
          2 ** 31,
          -(2 ** 31) - 1,
          2 ** 40 + 7,
          -(2 ** 45),
          2 ** 52 - 1,
          Math.floor(random() * 1e9),
        ]),
        key: bytes(),
        value: bytes(),
        headers,
      };
      const { ours, theirs } = bytesOf(input);
      if (ours !== theirs) mismatches.push(i);
    }
    expect(mismatches).toEqual([]);
  });

  it('hands unusual records to kafkajs: huge timestamp deltas, non-string header values', () => {
    const huge: RecordInput = { timestampDelta: 2 ** 60, key: 'k', value: 'v' };
    expect(encodeRecord(huge).buffer).toEqual(kafkajs(huge).buffer);
    const numeric = { key: 'k', value: 'v', headers: { qos: 1 } } as unknown as RecordInput;
    expect(() => encodeRecord(numeric)).toThrow();
    expect(() => kafkajs(numeric)).toThrow();
  });

  it('encodes produce requests as kafkajs does: topics, partitions, sequences, producer ids, acks', async () => {
    const random = generator(7);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    // kafkajs stamps a batch with the time it encodes it: both encode within one frozen millisecond.
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_763_800_000_123);
    try {
      for (let i = 0; i < 200; i++) {
        const input: ProduceRequestInput = {
          acks: pick([-1, 0, 1]),
          timeout: pick([30_000, 1_000]),
          transactionalId: pick([null, undefined, '', 'tx-1', 'träns']) ?? undefined,
          producerId: pick([undefined, 0, 4711, -1, '9007199254740993']),
          producerEpoch: pick([undefined, 0, 3]),
          topicData: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, t) => ({
            topic: `hono.telemetry.tenant-${String(t)}${pick(['', 'ü'])}`,
            partitions: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, p) => ({
              partition: p,
              firstSequence: pick([undefined, 0, 17, 2 ** 31 - 1]),
              messages: Array.from({ length: Math.floor(random() * 30) }, (_, m) => ({
                key: pick([null, `device-${String(m)}`, Buffer.from('k')]),
                value: pick([null, randomBytes(Math.floor(random() * 500)), 'text']),
                headers: { device_id: `device-${String(m)}`, qos: '1', 'creation-time': '1' },
              })),
            })),
          })),
        };
        const ours = produceRequest(input);
        const theirs = kafkajsProduce(input);
        expect([ours.apiKey, ours.apiVersion, ours.apiName, ours.expectResponse()]).toEqual([
          theirs.apiKey,
          theirs.apiVersion,
          theirs.apiName,
          theirs.expectResponse(),
        ]);
        expect((await ours.encode()).buffer.toString('hex')).toBe(
          (await theirs.encode()).buffer.toString('hex'),
        );
      }
    } finally {
      now.mockRestore();
    }
  });

  it('hands compressed batches and explicit timestamps to kafkajs', async () => {
    const batch = (
      messages: ProduceRequestInput['topicData'][number]['partitions'][number]['messages'],
      compression?: number,
    ): ProduceRequestInput => ({
      acks: -1,
      timeout: 1_000,
      ...(compression === undefined ? {} : { compression }),
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages }] }],
    });
    const stamped = batch([{ key: 'k', value: 'v', timestamp: '1763800000000' }]);
    expect((await produceRequest(stamped).encode()).buffer).toEqual(
      (await kafkajsProduce(stamped).encode()).buffer,
    );
    const gzip = batch([{ key: 'k', value: 'v'.repeat(100) }], 1);
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_763_800_000_123);
    try {
      expect((await produceRequest(gzip).encode()).buffer).toEqual(
        (await kafkajsProduce(gzip).encode()).buffer,
      );
    } finally {
      now.mockRestore();
    }
  });

  it('computes CRC-32C as kafkajs does, over whole buffers and slices', () => {
    const kafkajsCrc = createRequire(require.resolve('kafkajs'))(
      './src/protocol/recordBatch/crc32C/index.js',
    ) as (data: Buffer) => number;
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    const random = generator(3);
    for (let i = 0; i < 500; i++) {
      const data = randomBytes(Math.floor(random() * 3_000));
      const start = Math.floor(random() * data.length);
      const end = start + Math.floor(random() * (data.length - start));
      expect(crc32c(data, start, end)).toBe(kafkajsCrc(data.subarray(start, end)));
    }
  });

  it("replaces kafkajs' encoders in a fresh process, and produce requests carry the same bytes", () => {
    // jest's module registry is not Node's: the installation is checked where services run.
    const script = `
      const { installProduceEncoder, produceRequest } = require(${JSON.stringify(join(__dirname, 'produce-encoder.ts'))});
      const installed = installProduceEncoder();
      Date.now = () => 1763800000000; // the batch's timestamp, so that both runs encode the same bytes
      const produce = require(require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js', { paths: [require.resolve('kafkajs')] }));
      const v7 = require(require.resolve('kafkajs/src/protocol/requests/produce/v7/request.js', { paths: [require.resolve('kafkajs')] }));
      const messages = Array.from({ length: 5 }, (_, i) => ({
        key: 'd-' + i, value: Buffer.from('payload ' + i),
        headers: { device_id: 'd-' + i, qos: '1', multi: ['a', 'b'] },
      }));
      // Versions 4 to 7 (what kafkajs sends to Kafka 3) extend version 3.
      const request = v7({ acks: -1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }] });
      request.encode()
        .then((encoder) => process.stdout.write(JSON.stringify({ installed, same: produce === produceRequest, version: request.apiVersion, hex: encoder.buffer.toString('hex') })));
    `;
    type Outcome = { installed: boolean; same: boolean; version: number; hex: string };
    const run = (preload: boolean): Outcome =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-r',
            '@swc-node/register',
            '-e',
            preload ? script : script.replace('installProduceEncoder()', 'false'),
          ],
          {
            encoding: 'utf8',
            env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '../../../../tsconfig.json') },
          },
        ),
      ) as Outcome;
    const patched = run(true);
    const plain = run(false);
    expect(patched.installed).toBe(true);
    expect(patched.same).toBe(true);
    expect(plain.same).toBe(false);
    expect(patched.version).toBe(7);
    expect(patched.hex).toBe(plain.hex);
  });
});
