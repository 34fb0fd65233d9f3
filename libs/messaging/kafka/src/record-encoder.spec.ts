import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

import { encodeRecord, kafkajsRecordEncoder, type RecordInput } from './record-encoder';

const kafkajs = kafkajsRecordEncoder();

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

describe('encodeRecord', () => {
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

  it("replaces kafkajs' encoder in a fresh process, and produce requests carry the same bytes", () => {
    // jest's module registry is not Node's: the installation is checked where services run.
    const script = `
      const { installRecordEncoder, encodeRecord } = require(${JSON.stringify(join(__dirname, 'record-encoder.ts'))});
      const installed = installRecordEncoder();
      const produce = require(require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js', { paths: [require.resolve('kafkajs')] }));
      const record = require(require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js', { paths: [require.resolve('kafkajs')] }));
      const messages = Array.from({ length: 5 }, (_, i) => ({
        key: 'd-' + i, value: Buffer.from('payload ' + i), timestamp: String(1763800000000 + i),
        headers: { device_id: 'd-' + i, qos: '1', multi: ['a', 'b'] },
      }));
      produce({ acks: -1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }] })
        .encode()
        .then((encoder) => process.stdout.write(JSON.stringify({ installed, same: record === encodeRecord, hex: encoder.buffer.toString('hex') })));
    `;
    const run = (preload: boolean): { installed: boolean; same: boolean; hex: string } =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-r',
            '@swc-node/register',
            '-e',
            preload ? script : script.replace('installRecordEncoder()', 'false'),
          ],
          {
            encoding: 'utf8',
            env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '../../../../tsconfig.json') },
          },
        ),
      ) as { installed: boolean; same: boolean; hex: string };
    const patched = run(true);
    const plain = run(false);
    expect(patched.installed).toBe(true);
    expect(patched.same).toBe(true);
    expect(plain.same).toBe(false);
    expect(patched.hex).toBe(plain.hex);
  });
});
