import { performance } from 'node:perf_hooks';

import {
  type AdapterStack,
  BENCH_DEVICES,
  type BenchDevice,
  cpuMs,
  deleteTopics,
  rssBytes,
  startAdapterStack,
  settledRecords,
  telemetryTopic,
} from '../adapter-stack';
import {
  LatencyHistogram,
  type Measurement,
  measureLoop,
  requireEnv,
  type Scenario,
  type ScenarioContext,
  toMeasurement,
} from '../harness';
import { BenchMqttConnection, publishTemplate } from '../mqtt-client';
import { type MinimalMqttProcess, spawnMinimalMqttServer } from '../mqtt-minimal-server';
import { INFRA_VARS } from './http-adapter';
import { TELEMETRY_BODY } from './http-plain';

/** Idle connections held open to measure memory per connection (as §5.2 D: 10 k). */
const HELD_CONNECTIONS = 10_000;
/** CONNECTs in flight during the ramp. */
const CONNECT_CONCURRENCY = 50;
/** Connect-and-close cycles of the warm-up at most: JIT and the adapter's caches, little garbage. */
const CONNECT_WARMUP = 500;
/** QoS 0 publishes sent back to back before each PINGREQ fence. */
const QOS0_BATCH = 10;
/** The body of `baseline:http-plain`, so MQTT and HTTP figures compare. */
const PAYLOAD = Buffer.from(TELEMETRY_BODY);
const KEEPALIVE_S = 60;

/** Where a scenario's client connects, whose RSS it reads, and as whom it authenticates. */
interface MqttTarget {
  readonly port: number;
  readonly pid: number;
  readonly devices: readonly BenchDevice[];
  /** Hono's telemetry topic of the adapter's tenant; none for the baseline. */
  readonly kafkaTopic?: string;
}

/** Credentials of the same shape for the baseline server (it checks nothing). */
const BASELINE_DEVICES: readonly BenchDevice[] = Array.from({ length: BENCH_DEVICES }, (_, i) => ({
  deviceId: `d-${String(i)}`,
  username: `d-${String(i)}@bench_000000000000`,
  password: `bench-secret-${String(i)}`,
}));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;
/** CPU time per operation (µs), 10 ms resolution of /proc over the run. */
const usPerOp = (ms: number, ops: number) => Math.round((1000 * ms) / Math.max(1, ops));
const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

function open(target: MqttTarget, seq: number): Promise<BenchMqttConnection> {
  const device = target.devices[seq % target.devices.length]!;
  return BenchMqttConnection.open({
    port: target.port,
    clientId: `bench-${String(seq)}`,
    username: device.username,
    password: device.password,
    keepalive: KEEPALIVE_S,
  });
}

/** Opens `count` connections, `CONNECT_CONCURRENCY` at a time, timing each until its CONNACK. */
async function ramp(
  target: MqttTarget,
  firstSeq: number,
  count: number,
  held: BenchMqttConnection[],
  histogram: LatencyHistogram,
): Promise<{ ops: number; errors: number; elapsedMs: number; firstError?: Error }> {
  let next = 0;
  let ops = 0;
  let errors = 0;
  let firstError: Error | undefined;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const seq = firstSeq + next++;
      const t0 = performance.now();
      try {
        held.push(await open(target, seq));
        histogram.recordMs(performance.now() - t0);
        ops++;
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return { ops, errors, elapsedMs: performance.now() - started, ...(firstError && { firstError }) };
}

/**
 * CONNECT storm and memory: connects and closes up to {@link CONNECT_WARMUP} times (warm-up), then
 * opens {@link HELD_CONNECTIONS} connections and keeps them open, idle. Throughput is CONNECTs per
 * second of the ramp (TCP handshake to CONNACK); memory is the server process' RSS growth over
 * the ramp divided by the connections held, sampled after a 1 s settle (the `rssMarginal…`
 * figure uses only the second half of the ramp, which excludes one-off growth such as V8's young
 * generation expanding). The connections are closed at the end of each run.
 */
async function connectRun(ctx: ScenarioContext, target: MqttTarget): Promise<Measurement> {
  if (ctx.warmupMs > 0) {
    await measureLoop(
      async (seq) => {
        (await open(target, seq)).close();
      },
      {
        concurrency: CONNECT_CONCURRENCY,
        durationMs: ctx.warmupMs,
        count: CONNECT_WARMUP,
      },
    );
  }
  await sleep(1_000);
  const held: BenchMqttConnection[] = [];
  const histogram = new LatencyHistogram();
  try {
    const rss0 = rssBytes(target.pid);
    const cpu0 = cpuMs(target.pid);
    const half = Math.floor(HELD_CONNECTIONS / 2);
    const first = await ramp(target, 1_000_000, half, held, histogram);
    await sleep(1_000);
    const rss1 = rssBytes(target.pid);
    const held1 = held.length;
    const second = await ramp(target, 2_000_000, HELD_CONNECTIONS - half, held, histogram);
    await sleep(1_000);
    const rss2 = rssBytes(target.pid);
    // The two ramps, without the 1 s pauses (the server idles then).
    const cpu = cpuMs(target.pid) - cpu0;
    const serverCpuPct = Math.round((100 * cpu) / (first.elapsedMs + second.elapsedMs));
    const ops = first.ops + second.ops;
    const firstError = first.firstError ?? second.firstError;
    if (ops === 0 && firstError) throw firstError;
    const perConnection = (rss2 - rss0) / Math.max(1, held.length);
    const marginal = (rss2 - rss1) / Math.max(1, held.length - held1);
    ctx.log(
      `server CPU ${String(serverCpuPct)} % of a core, ${String(usPerOp(cpu, ops))} µs per CONNECT`,
    );
    ctx.log(
      `${String(held.length)} connections held: RSS ${mb(rss0)} → ${mb(rss2)} MB, ` +
        `${String(kb(perConnection))} KB per connection (second half: ${String(kb(marginal))} KB)`,
    );
    return toMeasurement(
      ops,
      first.errors + second.errors,
      first.elapsedMs + second.elapsedMs,
      histogram,
      {
        connectionsHeld: held.length,
        connectConcurrency: CONNECT_CONCURRENCY,
        serverCpuPct,
        serverCpuUsPerOp: usPerOp(cpu, first.ops + second.ops),
        rssMbBefore: mb(rss0),
        rssMbAfter: mb(rss2),
        rssKbPerConnection: kb(perConnection),
        rssMarginalKbPerConnection: kb(marginal),
        ...(firstError && { firstError: firstError.message }),
      },
    );
  } finally {
    for (const c of held) c.close();
    await sleep(500);
  }
}

/**
 * Publish rate over `connections` authenticated connections, one operation in flight per
 * connection on average. QoS 1: an operation is one PUBLISH until its PUBACK. QoS 0: an operation
 * is {@link QOS0_BATCH} PUBLISHes followed by a PINGREQ, until the PINGRESP (the server has read
 * them all); throughput counts messages, latency is per batch. For the adapter, the records that
 * reached the tenant's Kafka topic during the measured window are counted too.
 */
async function publishRun(
  ctx: ScenarioContext,
  target: MqttTarget,
  qos: 0 | 1,
): Promise<Measurement> {
  const connections = await Promise.all(
    Array.from({ length: ctx.connections }, (_, i) => open(target, i)),
  );
  try {
    const qos1 = publishTemplate('telemetry', PAYLOAD, 1);
    const batch = Buffer.concat(
      Array.from({ length: QOS0_BATCH }, () => publishTemplate('telemetry', PAYLOAD, 0).bytes),
    );
    const op =
      qos === 1
        ? (seq: number) => connections[seq % connections.length]!.publishQos1(qos1)
        : (seq: number) => connections[seq % connections.length]!.sendWithFence(batch);
    const loop = { concurrency: connections.length };
    if (ctx.warmupMs > 0) await measureLoop(op, { ...loop, durationMs: ctx.warmupMs });
    const topic = target.kafkaTopic;
    const before = topic === undefined ? undefined : await settledRecords(topic);
    const cpuBefore = cpuMs(target.pid);
    const m = await measureLoop(op, { ...loop, durationMs: ctx.durationMs });
    const cpu = cpuMs(target.pid) - cpuBefore;
    const serverCpuPct = Math.round((100 * cpu) / m.durationMs);
    // QoS 0 publishes the server has read may still be on their way to Kafka: wait for them.
    const after = topic === undefined ? undefined : await settledRecords(topic);
    const perOp = qos === 0 ? QOS0_BATCH : 1;
    const messages = m.ops * perOp;
    const kafka =
      before && after
        ? { kafkaRecords: after.records - before.records, kafkaDrainMs: after.drainMs }
        : undefined;
    if (kafka) {
      ctx.log(
        `Kafka got ${String(kafka.kafkaRecords)} records for ${String(messages)} messages sent ` +
          `(the last ${String(kafka.kafkaDrainMs)} ms after the load)`,
      );
    }
    ctx.log(
      `server CPU ${String(serverCpuPct)} % of a core, ${String(usPerOp(cpu, messages))} µs per message`,
    );
    return {
      ...m,
      ops: messages,
      opsPerSec: m.opsPerSec * perOp,
      extra: {
        qos,
        connections: connections.length,
        messagesPerOperation: perOp,
        payloadBytes: PAYLOAD.length,
        serverCpuPct,
        serverCpuUsPerOp: usPerOp(cpu, messages),
        ...kafka,
      },
    };
  } finally {
    for (const c of connections) c.close();
  }
}

type MqttWork = 'connect' | 'publish-qos0' | 'publish-qos1';

/**
 * The baselines' server CPU per operation in this run, by work. ops/s ratios need the server to be
 * the limit; on this box the client (or other work) often is, so the adapter scenarios also report
 * the ratio of CPU per operation (baseline ÷ adapter), which does not depend on who set the pace.
 */
const baselineCpuUsPerOp = new Map<MqttWork, number>();

function run(work: MqttWork, ctx: ScenarioContext, target: MqttTarget): Promise<Measurement> {
  if (work === 'connect') return connectRun(ctx, target);
  return publishRun(ctx, target, work === 'publish-qos0' ? 0 : 1);
}

/**
 * The MQTT baseline: the same client against `net` + `mqtt-packet` answering CONNECT, PUBLISH
 * (QoS 1) and PINGREQ and nothing else, in a process of its own like the adapter.
 */
export function mqttMinimalBaseline(work: MqttWork): Scenario {
  let server: MinimalMqttProcess | undefined;
  return {
    name: `baseline:mqtt-minimal/${work}`,
    async setup() {
      server = await spawnMinimalMqttServer();
    },
    async run(ctx) {
      const m = await run(work, ctx, {
        port: server!.port,
        pid: server!.pid,
        devices: BASELINE_DEVICES,
      });
      const cpu = m.extra?.['serverCpuUsPerOp'];
      if (typeof cpu === 'number') baselineCpuUsPerOp.set(work, cpu);
      return m;
    },
    async teardown() {
      await server?.stop();
      server = undefined;
    },
  };
}

/**
 * The MQTT adapter (its own process, on the registry process, PostgreSQL and Kafka) under the
 * baseline's load. The {@link BENCH_DEVICES} devices authenticate with user name and password;
 * the adapter caches verified passwords, so after the warm-up a CONNECT costs the cached lookups
 * and an HMAC instead of a bcrypt verification (cold CONNECTs are a different scenario, bounded
 * by bcrypt).
 */
export function mqttAdapterScenario(work: MqttWork): Scenario {
  let stack: AdapterStack | undefined;
  return {
    name: `mqtt-adapter/${work}`,
    baseline: `baseline:mqtt-minimal/${work}`,
    // §5.2 D: warm CONNECT rate ≥ 0.5 × B_mqtt (memory: ≤ 12 KB per connection, logged, in `extra`).
    ...(work === 'connect' && { target: { minRatio: 0.5 } }),
    skipReason: requireEnv(...INFRA_VARS),
    async setup() {
      // The CONNECT storm is one tenant's: its connection rate limit would measure the limit.
      stack = await startAdapterStack('mqtt-adapter', { MQTT_ADAPTER_TENANT_CONNECT_RATE: '0' });
    },
    async run(ctx) {
      const { adapter, registry } = stack!;
      const m = await run(work, ctx, {
        port: adapter.port,
        pid: adapter.pid,
        devices: registry.devices,
        kafkaTopic: telemetryTopic(registry.tenant),
      });
      const cpu = m.extra?.['serverCpuUsPerOp'];
      const baselineCpu = baselineCpuUsPerOp.get(work);
      if (typeof cpu === 'number' && cpu > 0 && baselineCpu !== undefined) {
        const cpuRatio = Math.round((100 * baselineCpu) / cpu) / 100;
        ctx.log(
          `CPU per operation: baseline ${String(baselineCpu)} µs, adapter ${String(cpu)} µs → ` +
            `${String(cpuRatio)}× (the ops/s ratio if both servers were the limit)`,
        );
        m.extra = { ...m.extra, cpuRatio };
      }
      const perConnection = m.extra?.['rssKbPerConnection'];
      if (typeof perConnection === 'number') {
        ctx.log(`memory target ≤ 12 KB per connection: ${perConnection <= 12 ? 'met' : 'MISSED'}`);
      }
      return m;
    },
    async teardown() {
      const s = stack;
      stack = undefined;
      if (!s) return;
      await s.stop();
      await deleteTopics([telemetryTopic(s.registry.tenant)]);
    },
  };
}
