import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { Options as AutocannonOptions } from 'autocannon';

import { LatencyHistogram, type LatencySummary } from './histogram';

export { LatencyHistogram, type LatencySummary } from './histogram';

export interface ScenarioContext {
  /** Measured time of one run. */
  readonly durationMs: number;
  /** Unmeasured load before each run: JIT, connection pools, broker metadata. */
  readonly warmupMs: number;
  /** Concurrency for scenarios that do not pin their own (`--connections`). */
  readonly connections: number;
  log(message: string): void;
}

export interface Measurement {
  /** Successful operations. */
  ops: number;
  errors: number;
  durationMs: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  /** Milliseconds. */
  latency: LatencySummary;
  extra?: Record<string, number | string>;
}

export interface Target {
  /** Minimum throughput as a fraction of the baseline's, measured in the same run. */
  minRatio?: number;
  maxP99Ms?: number;
}

export interface Scenario {
  readonly name: string;
  /** Name of the scenario whose throughput this one is divided by; it always runs first. */
  readonly baseline?: string;
  readonly target?: Target;
  /** Why this scenario cannot run here (e.g. a missing env var); undefined when it can. */
  skipReason?(): string | undefined;
  setup?(ctx: ScenarioContext): Promise<void>;
  run(ctx: ScenarioContext): Promise<Measurement>;
  teardown?(): Promise<void>;
}

export interface ScenarioRegistry {
  readonly all: readonly Scenario[];
  /** Scenarios matching any filter (all when none), plus their baselines, baselines first. */
  select(filters: readonly string[]): Scenario[];
}

export function createRegistry(scenarios: readonly Scenario[]): ScenarioRegistry {
  const byName = new Map<string, Scenario>();
  for (const s of scenarios) {
    if (byName.has(s.name)) throw new Error(`Duplicate scenario name ${s.name}`);
    byName.set(s.name, s);
  }
  for (const s of scenarios) {
    if (s.baseline !== undefined && !byName.has(s.baseline)) {
      throw new Error(`Scenario ${s.name} names unknown baseline ${s.baseline}`);
    }
  }
  const byNameLower = new Set(scenarios.map((s) => s.name.toLowerCase()));
  return {
    all: scenarios,
    select(filters) {
      const wanted = filters.map((f) => f.toLowerCase());
      const ordered: Scenario[] = [];
      const visit = (s: Scenario, path: readonly string[]): void => {
        if (path.includes(s.name))
          throw new Error(`Baseline cycle: ${[...path, s.name].join(' -> ')}`);
        if (s.baseline !== undefined) visit(byName.get(s.baseline)!, [...path, s.name]);
        if (!ordered.includes(s)) ordered.push(s);
      };
      // A filter equal to a name selects just that scenario (`…/c1` would also match `…/c100`).
      const matches = (name: string, f: string) =>
        byNameLower.has(f) ? name === f : name.includes(f);
      for (const s of scenarios) {
        const name = s.name.toLowerCase();
        if (wanted.length === 0 || wanted.some((f) => matches(name, f))) visit(s, []);
      }
      return ordered;
    },
  };
}

/** Skip reason for scenarios that need environment variables, e.g. a broker address. */
export function requireEnv(...names: string[]): () => string | undefined {
  return () => {
    const missing = names.filter((n) => !process.env[n]);
    return missing.length === 0 ? undefined : `${missing.join(', ')} not set`;
  };
}

export function toMeasurement(
  ops: number,
  errors: number,
  durationMs: number,
  histogram: LatencyHistogram,
  extra?: Record<string, number | string>,
): Measurement {
  const latency = histogram.summary();
  return {
    ops,
    errors,
    durationMs,
    opsPerSec: durationMs > 0 ? (ops * 1000) / durationMs : 0,
    p50: latency.p50,
    p99: latency.p99,
    latency,
    ...(extra ? { extra } : {}),
  };
}

export interface LoopOptions {
  /** Operations kept in flight (closed loop: each worker starts its next op when one ends). */
  concurrency: number;
  /** Stop starting operations after this long (or after `count`, whichever comes first). */
  durationMs?: number;
  count?: number;
  warmupMs?: number;
}

/**
 * Closed-loop load generator: `concurrency` workers each await `op` back to back and record its
 * latency. Failed operations are counted, not timed; if every operation fails the first error
 * is thrown, since a benchmark of errors is meaningless.
 */
export async function measureLoop(
  op: (seq: number) => Promise<unknown>,
  options: LoopOptions,
): Promise<Measurement> {
  const { concurrency, durationMs, count, warmupMs = 0 } = options;
  if (durationMs === undefined && count === undefined) {
    throw new Error('measureLoop needs durationMs or count');
  }
  if (warmupMs > 0) await loop(op, concurrency, warmupMs, undefined, undefined);
  const histogram = new LatencyHistogram();
  const started = performance.now();
  const { ops, errors, firstError } = await loop(op, concurrency, durationMs, count, histogram);
  const elapsed = performance.now() - started;
  if (ops === 0 && firstError !== undefined) throw firstError;
  return toMeasurement(ops, errors, elapsed, histogram);
}

async function loop(
  op: (seq: number) => Promise<unknown>,
  concurrency: number,
  durationMs: number | undefined,
  count: number | undefined,
  histogram: LatencyHistogram | undefined,
): Promise<{ ops: number; errors: number; firstError: Error | undefined }> {
  const deadline = durationMs === undefined ? Infinity : performance.now() + durationMs;
  const limit = count ?? Infinity;
  let started = 0;
  let ops = 0;
  let errors = 0;
  let firstError: Error | undefined;
  const worker = async (): Promise<void> => {
    while (started < limit && performance.now() < deadline) {
      const seq = started++;
      const t0 = performance.now();
      try {
        await op(seq);
        histogram?.recordMs(performance.now() - t0);
        ops++;
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops, errors, firstError };
}

/**
 * Runs `module[exportName](input)` in a worker thread and returns its Measurement. Load
 * generators that drive a server in this process run there, so the generator and the system
 * under test each get a core (as with remote clients) instead of sharing one event loop.
 */
export async function runInWorker(
  modulePath: string,
  exportName: string,
  input: unknown,
): Promise<Measurement> {
  const worker = new Worker(join(__dirname, 'worker.ts'), {
    workerData: { modulePath, exportName, input },
  });
  try {
    return await new Promise<Measurement>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => {
        reject(new Error(`Load worker exited with code ${String(code)} before reporting`));
      });
    });
  } finally {
    await worker.terminate();
  }
}

export interface HttpLoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  warmupMs?: number;
  pipelining?: number;
}

/** Loads a URL with autocannon from a worker thread; ops are 2xx responses. */
export function runAutocannon(options: HttpLoadOptions): Promise<Measurement> {
  return runInWorker(__filename, 'autocannonLoad', options);
}

/** Worker side of runAutocannon; records every response into our histogram (µs resolution). */
export async function autocannonLoad(options: HttpLoadOptions): Promise<Measurement> {
  const { default: autocannon } = await import('autocannon');
  const base: AutocannonOptions = {
    url: options.url,
    method: options.method ?? 'GET',
    connections: options.connections,
    pipelining: options.pipelining ?? 1,
    skipAggregateResult: true,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  };
  if (options.warmupMs) await autocannon({ ...base, duration: options.warmupMs / 1000 });
  const histogram = new LatencyHistogram();
  const instance = autocannon({ ...base, duration: options.durationMs / 1000 });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) histogram.recordMs(responseTimeMs);
  });
  const result = await instance;
  const errors = result.errors + result.timeouts + result.non2xx;
  return toMeasurement(result['2xx'], errors, result.duration * 1000, histogram, {
    connections: options.connections,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
  });
}
