import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  type AdapterStack,
  basicAuth,
  cpuMs,
  deleteTopics,
  rssBytes,
  startAdapterStack,
  settledRecords,
  telemetryTopic,
} from '../adapter-stack';
import { type HttpLoadOptions, requireEnv, runAutocannon, type Scenario } from '../harness';
import { TELEMETRY_BODY } from './http-plain';

/** What startRegistryProcess (libs/testing) needs from `infra.sh env`. */
export const INFRA_VARS = ['KAFKA_BROKERS', 'POSTGRES_URL', 'AMQP_URL', 'MONGODB_URI'];

/**
 * HTTP telemetry through the HTTP adapter to Kafka (performance.md §5.2 B): the adapter and the
 * registry (PostgreSQL) run as their own processes, as in production; autocannon POSTs the 200 B
 * body of `baseline:http-plain` with the same concurrency over keep-alive connections, with Basic
 * auth of one seeded device. After the first request the adapter's caches are warm (verified
 * password, credentials, tenant, assertion): what is measured is the hot path and the Kafka send.
 * QoS 0 is answered once handed to the producer, QoS 1 after the broker's ack.
 */
export function httpAdapterScenario(qos: 0 | 1, tracing?: 'sampled' | 'full'): Scenario {
  let stack: AdapterStack | undefined;
  let sink: Server | undefined;
  return {
    name:
      tracing === undefined
        ? `http-adapter/telemetry-qos${String(qos)}`
        : `http-adapter/telemetry-qos${String(qos)}-tracing-${tracing}`,
    ...(tracing === undefined
      ? {
          baseline: 'baseline:http-plain',
          // §5.2 B: ≥ 0.25 × B_http; p99 ≤ 20 ms (QoS 0), ≤ 50 ms (acknowledged).
          target: { minRatio: 0.25, maxP99Ms: qos === 0 ? 20 : 50 },
        }
      : // Tracing on, against the same scenario with tracing off: reported, no target.
        { baseline: `http-adapter/telemetry-qos${String(qos)}` }),
    skipReason: requireEnv(...INFRA_VARS),
    async setup() {
      let env: Record<string, string> = {};
      if (tracing !== undefined) {
        // An OTLP/HTTP endpoint that takes every export (the adapter pays the real export cost).
        sink = createServer((req, res) => {
          req.resume();
          req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
        });
        const port = await new Promise<number>((resolve) => {
          sink?.listen(0, '127.0.0.1', () => {
            resolve((sink?.address() as AddressInfo).port);
          });
        });
        env = {
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${String(port)}`,
          // Sampled: one trace in ten, Hono's usual production setting; full: every trace.
          OTEL_TRACES_SAMPLER_ARG: tracing === 'full' ? '1' : '0.1',
        };
      }
      stack = await startAdapterStack('http-adapter', env);
    },
    async run(ctx) {
      const { adapter, registry } = stack!;
      const topic = telemetryTopic(registry.tenant);
      const load: HttpLoadOptions = {
        url: `${adapter.url}/telemetry`,
        method: 'POST',
        body: TELEMETRY_BODY,
        headers: {
          authorization: basicAuth(registry.devices[0]!),
          'content-type': 'application/json',
          'qos-level': String(qos),
        },
        connections: ctx.connections,
        durationMs: ctx.warmupMs,
      };
      // Warm-up on its own, so the topic's record count can be taken in between.
      if (ctx.warmupMs > 0) await runAutocannon(load);
      const before = await settledRecords(topic);
      const rssBefore = rssBytes(adapter.pid);
      const cpuBefore = cpuMs(adapter.pid);
      const m = await runAutocannon({ ...load, durationMs: ctx.durationMs });
      // Share of one core the adapter used: near 100 % means the adapter is the bottleneck.
      const cpu = cpuMs(adapter.pid) - cpuBefore;
      const adapterCpuPct = Math.round((100 * cpu) / m.durationMs);
      const adapterCpuUsPerRequest = Math.round((1000 * cpu) / Math.max(1, m.ops));
      const rssAfter = rssBytes(adapter.pid);
      // QoS 0 is answered before the broker has the record: wait for the backlog.
      const after = await settledRecords(topic);
      const kafkaRecords = after.records - before.records;
      ctx.log(
        `Kafka got ${String(kafkaRecords)} records for ${String(m.ops)} accepted requests ` +
          `(the last ${String(after.drainMs)} ms after the load); ` +
          `adapter CPU ${String(adapterCpuPct)} % of a core (${String(adapterCpuUsPerRequest)} µs per request), RSS ${mb(rssBefore)} → ${mb(rssAfter)} MB`,
      );
      return {
        ...m,
        extra: {
          ...m.extra,
          qos,
          kafkaRecords,
          kafkaDrainMs: after.drainMs,
          adapterCpuPct,
          adapterCpuUsPerRequest,
          adapterRssMbBefore: mb(rssBefore),
          adapterRssMbAfter: mb(rssAfter),
        },
      };
    },
    async teardown() {
      sink?.close();
      sink = undefined;
      const s = stack;
      stack = undefined;
      if (!s) return;
      await s.stop();
      await deleteTopics([telemetryTopic(s.registry.tenant)]);
    },
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}
