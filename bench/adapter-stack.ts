import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

// Only to count and delete the records the adapters wrote; the measured path is the adapter's.
// eslint-disable-next-line no-restricted-imports
import { Kafka, logLevel } from 'kafkajs';

import {
  freePort,
  type RegistryProcess,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
} from '@tessera/testing';

/** A device of the bench tenant with a `hashed-password` credential (auth-id = device id). */
export interface BenchDevice {
  readonly deviceId: string;
  /** `auth-id@tenant`, the user name adapters expect. */
  readonly username: string;
  readonly password: string;
}

/** The registry process (PostgreSQL + Kafka of the infra env) and what was seeded in it. */
export interface BenchRegistry {
  readonly registry: RegistryProcess;
  readonly tenant: string;
  readonly devices: readonly BenchDevice[];
}

/** Devices seeded with a password; the adapters' verified-credentials cache makes repeats cheap. */
export const BENCH_DEVICES = 10;

async function seed(registry: RegistryProcess): Promise<BenchRegistry> {
  const manage = async (method: string, path: string, body: unknown): Promise<void> => {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  };
  const tenant = uniqueId('bench');
  await manage('POST', `/v1/tenants/${tenant}`, {});
  const devices: BenchDevice[] = [];
  for (let i = 0; i < BENCH_DEVICES; i++) {
    const deviceId = `d-${String(i)}`;
    const password = `bench-secret-${String(i)}`;
    await manage('POST', `/v1/devices/${tenant}/${deviceId}`, {
      defaults: { 'content-type': 'application/json' },
    });
    await manage('PUT', `/v1/credentials/${tenant}/${deviceId}`, [
      { type: 'hashed-password', 'auth-id': deviceId, secrets: [{ 'pwd-plain': password }] },
    ]);
    devices.push({ deviceId, username: `${deviceId}@${tenant}`, password });
  }
  return { registry, tenant, devices };
}

/** Starts the registry process and seeds it; the caller stops `registry.process`. */
export async function startBenchRegistry(): Promise<BenchRegistry> {
  const registry = await startRegistryProcess();
  try {
    return await seed(registry);
  } catch (e) {
    await registry.process.stop();
    throw e;
  }
}

/** A protocol adapter running as its own process against the bench registry. */
export interface AdapterProcess {
  readonly service: ServiceProcess;
  /** The device listener, e.g. `http://127.0.0.1:1234`. */
  readonly url: string;
  readonly port: number;
  /** The adapter's process id (for its RSS). */
  readonly pid: number;
}

const READY: Record<AdapterKind, RegExp> = {
  'http-adapter': /listening on http:\/\/\S+ \(devices, HTTP\)/,
  'mqtt-adapter': /listening on mqtt:\/\/\S+ \(devices, MQTT\)/,
};

export type AdapterKind = 'http-adapter' | 'mqtt-adapter';

/**
 * Starts `services/<kind>` as its own process (256 MB heap, as in the int-specs) on loopback,
 * against the bench registry and the infra env's Kafka; TLS and the northbound AMQP broker off.
 */
export async function startAdapter(
  kind: AdapterKind,
  stack: BenchRegistry,
  env: Readonly<Record<string, string>> = {},
): Promise<AdapterProcess> {
  const [port, healthPort] = [await freePort(), await freePort()];
  const prefix = kind === 'http-adapter' ? 'HTTP_ADAPTER' : 'MQTT_ADAPTER';
  const service = await startService(
    kind,
    {
      REGISTRY_AMQP_URL: stack.registry.amqpUrl,
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      [`${prefix}_HOST`]: '127.0.0.1',
      [`${prefix}_PORT`]: String(port),
      HEALTH_HOST: '127.0.0.1',
      HEALTH_PORT: String(healthPort),
      ...env,
    },
    { ready: READY[kind], timeoutMs: 90_000 },
  );
  const pid = childPid(`services/${kind}/src/main.ts`);
  if (pid === undefined) {
    await service.stop();
    throw new Error(`no child process of ${kind} found`);
  }
  const scheme = kind === 'http-adapter' ? 'http' : 'mqtt';
  return { service, url: `${scheme}://127.0.0.1:${String(port)}`, port, pid };
}

/** The pid of this process' child whose command line contains `fragment` (Linux `/proc`). */
export function childPid(fragment: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(fragment)) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** Resident set size of a process in bytes (`VmRSS` of `/proc/<pid>/status`). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${String(pid)}`);
  return Number(kb) * 1024;
}

/** An adapter process and the registry process under it. */
export interface AdapterStack {
  readonly registry: BenchRegistry;
  readonly adapter: AdapterProcess;
  /** Stops the adapter (gracefully), then the registry. */
  stop(): Promise<void>;
}

/**
 * Starts a fresh registry (seeded) and a fresh adapter for one scenario: about 4 s on this machine,
 * and each measurement (RSS above all) starts from a clean process.
 */
export async function startAdapterStack(
  kind: AdapterKind,
  env: Readonly<Record<string, string>> = {},
): Promise<AdapterStack> {
  const registry = await startBenchRegistry();
  let adapter: AdapterProcess;
  try {
    adapter = await startAdapter(kind, registry, env);
  } catch (e) {
    await registry.registry.process.stop();
    throw e;
  }
  return {
    registry,
    adapter,
    async stop() {
      try {
        await adapter.service.stop();
      } finally {
        await registry.registry.process.stop();
      }
    },
  };
}

/** CPU time a process used so far (ms), from `/proc/<pid>/stat` (utime + stime, 100 ticks/s). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 12 and 13 after the command.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Basic `Authorization` header value of a device. */
export function basicAuth(device: BenchDevice): string {
  return `Basic ${Buffer.from(`${device.username}:${device.password}`).toString('base64')}`;
}

/** Hono's telemetry topic of a tenant. */
export function telemetryTopic(tenant: string): string {
  return `hono.telemetry.${tenant}`;
}

function kafkaAdmin() {
  return new Kafka({
    clientId: 'tessera-bench',
    brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
    connectionTimeout: 3_000,
    logLevel: logLevel.NOTHING,
  }).admin();
}

type Admin = ReturnType<typeof kafkaAdmin>;

async function countRecords(admin: Admin, topic: string): Promise<number> {
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } catch {
    return 0; // not created yet
  }
}

/**
 * The records in a topic (sum of high watermarks; the adapters' producer is not transactional)
 * once the count stopped growing (two polls 500 ms apart, at most `maxMs`), and how long after the
 * call it last grew: the backlog an adapter still had to deliver (QoS 0 is accepted before Kafka
 * has it).
 */
export async function settledRecords(
  topic: string,
  maxMs = 20_000,
): Promise<{ records: number; drainMs: number }> {
  const admin = kafkaAdmin();
  await admin.connect();
  try {
    const start = performance.now();
    let records = await countRecords(admin, topic);
    let drainMs = 0;
    for (let stable = 0; stable < 2 && performance.now() - start < maxMs;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const n = await countRecords(admin, topic);
      if (n === records) {
        stable++;
      } else {
        records = n;
        drainMs = Math.round(performance.now() - start);
        stable = 0;
      }
    }
    return { records, drainMs };
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics a scenario's adapter wrote to (best effort). */
export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const admin = kafkaAdmin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
