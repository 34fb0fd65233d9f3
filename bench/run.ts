import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { Measurement, Scenario, ScenarioContext, Target } from './harness';
import { registry } from './scenarios';

const USAGE = `Usage: npm run bench -- [name-filter ...] [--duration=<s>] [--warmup=<s>]
                        [--connections=<n>] [--runs=<n>] [--idle-wait=<s>]
  name-filter     run scenarios whose name contains it (case-insensitive); baselines they
                  name are added. Default: all.
  --duration      measured seconds per run (default 10)
  --warmup        unmeasured seconds before each run (default 3)
  --connections   concurrency of scenarios that do not pin their own (default 50)
  --runs          runs per scenario; the median by throughput is reported (default 1)
  --idle-wait     seconds to wait, before each scenario, for other processes to use ≤ 10 % CPU
                  (default 30)`;

// Other processes may use this much of the machine (%) before a run counts as disturbed.
const QUIET_PCT = 10;

interface RunRecord {
  measurement: Measurement;
  otherCpuPct: number;
}

interface Result {
  name: string;
  baseline?: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  measurement?: Measurement;
  /** CPU other processes used during the reported run, in % of the machine. */
  otherCpuPct?: number;
  runs?: { opsPerSec: number; otherCpuPct: number }[];
  ratio?: number;
  target?: Target;
  met?: boolean;
}

function numberArg(name: string, value: string | undefined, fallback: number, min = 1e-3): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`--${name} must be a number ≥ ${String(min)}`);
  return n;
}

interface CpuSample {
  busyMs: number;
  totalMs: number;
  selfMs: number;
}

function cpuSample(): CpuSample {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times: t } of cpus()) {
    const busy = t.user + t.nice + t.sys + t.irq;
    busyMs += busy;
    totalMs += busy + t.idle;
  }
  const self = process.cpuUsage(); // all threads of this process, load workers included
  return { busyMs, totalMs, selfMs: (self.user + self.system) / 1000 };
}

/** CPU used by other processes (brokers included) between two samples, in % of the machine. */
function otherCpuPct(a: CpuSample, b: CpuSample): number {
  const other = b.busyMs - a.busyMs - (b.selfMs - a.selfMs);
  return (100 * Math.max(0, other)) / Math.max(1, b.totalMs - a.totalMs);
}

/** Other work on this small box skews results: wait (a while) for it to calm down. */
async function waitForQuiet(ctx: ScenarioContext, maxWaitMs: number): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const before = cpuSample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = otherCpuPct(before, cpuSample());
    if (busy <= QUIET_PCT) return;
    if (Date.now() >= deadline) {
      ctx.log(`warning: other processes use ${busy.toFixed(0)} % CPU; measuring anyway`);
      return;
    }
  }
}

async function runScenario(
  s: Scenario,
  ctx: ScenarioContext,
  runs: number,
  idleWaitMs: number,
): Promise<Result> {
  const base = { name: s.name, ...(s.baseline === undefined ? {} : { baseline: s.baseline }) };
  const reason = s.skipReason?.();
  if (reason !== undefined) return { ...base, status: 'skipped', reason };
  try {
    await waitForQuiet(ctx, idleWaitMs);
    await s.setup?.(ctx);
    const all: RunRecord[] = [];
    for (let i = 0; i < runs; i++) {
      const before = cpuSample();
      const measurement = await s.run(ctx);
      all.push({ measurement, otherCpuPct: Math.round(otherCpuPct(before, cpuSample())) });
    }
    const median = [...all].sort((a, b) => a.measurement.opsPerSec - b.measurement.opsPerSec)[
      Math.floor(all.length / 2)
    ]!;
    return {
      ...base,
      status: 'ok',
      measurement: median.measurement,
      otherCpuPct: median.otherCpuPct,
      runs: all.map((r) => ({
        opsPerSec: Math.round(r.measurement.opsPerSec),
        otherCpuPct: r.otherCpuPct,
      })),
    };
  } catch (e) {
    return { ...base, status: 'failed', reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await s.teardown?.().catch((e: unknown) => {
      ctx.log(`teardown failed: ${String(e)}`);
    });
  }
}

function judge(result: Result, baseline: Result | undefined, target: Target | undefined): void {
  const m = result.measurement;
  if (!m) return;
  const b = baseline?.measurement;
  if (b && b.opsPerSec > 0) result.ratio = m.opsPerSec / b.opsPerSec;
  if (!target) return;
  result.target = target;
  const { minRatio, maxP99Ms } = target;
  if (minRatio !== undefined && result.ratio === undefined) return; // unknown, not missed
  result.met =
    (minRatio === undefined || result.ratio! >= minRatio) &&
    (maxP99Ms === undefined || m.p99 <= maxP99Ms);
}

function verdict(r: Result): string {
  if (r.target === undefined) return '';
  if (r.met === undefined) return 'n/a (no baseline)';
  return r.met ? 'met' : 'MISSED';
}

const fmt = {
  ops: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1)),
  target: (t: Target | undefined) =>
    [
      t?.minRatio === undefined ? '' : `≥ ${String(t.minRatio)}×`,
      t?.maxP99Ms === undefined ? '' : `p99 ≤ ${String(t.maxP99Ms)} ms`,
    ]
      .filter(Boolean)
      .join(', ') || '-',
};

// "other CPU": % of the machine other processes used during the run; it includes brokers.
const HEADER = [
  'scenario',
  'baseline',
  'ops/s',
  'p50 ms',
  'p99 ms',
  'ratio',
  'target',
  'result',
  'other CPU',
];

function row(r: Result): string[] {
  const m = r.measurement;
  if (!m) return [r.name, r.baseline ?? '-', r.status, '', '', '', '', r.reason ?? '', ''];
  const notes = [verdict(r), m.errors > 0 ? `${String(m.errors)} errors` : ''];
  return [
    r.name,
    r.baseline ?? '-',
    fmt.ops(m.opsPerSec),
    fmt.ms(m.p50),
    fmt.ms(m.p99),
    r.ratio === undefined ? '-' : `${r.ratio.toFixed(3)}×`,
    fmt.target(r.target),
    notes.filter(Boolean).join(', '),
    `${String(r.otherCpuPct ?? 0)} %`,
  ];
}

function printTable(results: readonly Result[]): void {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([2, 3, 4, 5, 8]);
  for (const r of rows) {
    const cells = r.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)));
    console.log(cells.join('  ').trimEnd());
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      runs: { type: 'string' },
      'idle-wait': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const ctx: ScenarioContext = {
    durationMs: numberArg('duration', values.duration, 10) * 1000,
    warmupMs: numberArg('warmup', values.warmup, 3, 0) * 1000,
    connections: Math.round(numberArg('connections', values.connections, 50, 1)),
    log: (message) => {
      console.log(`  ${message}`);
    },
  };
  const runs = Math.round(numberArg('runs', values.runs, 1, 1));
  const idleWaitMs = numberArg('idle-wait', values['idle-wait'], 30, 0) * 1000;
  const selected = registry.select(positionals);
  if (selected.length === 0) {
    console.error(`No scenario matches ${positionals.join(', ')}. Known scenarios:`);
    for (const s of registry.all) console.error(`  ${s.name}`);
    return 1;
  }

  const startedAt = new Date();
  const results = new Map<string, Result>();
  for (const s of selected) {
    console.log(`▶ ${s.name}`);
    const result = await runScenario(s, ctx, runs, idleWaitMs);
    judge(result, s.baseline === undefined ? undefined : results.get(s.baseline), s.target);
    results.set(s.name, result);
    const m = result.measurement;
    ctx.log(
      m
        ? `${fmt.ops(m.opsPerSec)} ops/s, p50 ${fmt.ms(m.p50)} ms, p99 ${fmt.ms(m.p99)} ms`
        : `${result.status}: ${result.reason ?? ''}`,
    );
  }

  const all = [...results.values()];
  console.log('');
  printTable(all);
  for (const r of all.filter((x) => x.status === 'skipped')) {
    console.log(`skipped ${r.name}: ${r.reason ?? ''}`);
  }
  if (all.some((r) => r.status === 'skipped' && r.name.includes('kafka'))) {
    console.log(
      'Kafka scenarios need a broker: bash deploy/local/infra.sh up kafka && eval "$(bash deploy/local/infra.sh env)"',
    );
  }

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    loadavg: loadavg(),
  };
  const options = { ...ctx, log: undefined, runs, idleWaitMs, filters: positionals };
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, machine, options, results: all }, null, 2)}\n`,
  );
  console.log(`\nResults written to ${file}`);
  return all.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Scenario errors are caught per scenario; what lands here is a usage error.
    console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    process.exitCode = 1;
  },
);
