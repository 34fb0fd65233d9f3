// The raw `pg` baseline measures the driver on purpose; STYLE.md §3.2 confines drivers to libs, not bench.
// eslint-disable-next-line no-restricted-imports
import { Client } from 'pg';
import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import { KafkaConfig, MessagingModule } from '@tessera/messaging-nest';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  resolveManagementAuth,
} from '@tessera/registry-kit';
import { createHttpApp } from '@tessera/service-nest';
import { TenantModule } from '@tessera/tenant-service';

import { measureLoop, requireEnv, type Scenario } from '../harness';

const RUN = Date.now().toString(36);
const BASELINE = 'baseline:pg-raw-insert';

/**
 * Raw `pg` inserts of a device-sized JSON document, one at a time: what a device create costs at
 * the bottom of the stack, without validation, HTTP, versioning or the outbox.
 */
export function pgRawInsertBaseline(): Scenario {
  let client: Client | undefined;
  const table = `bench_raw_${RUN}`;
  return {
    name: BASELINE,
    skipReason: requireEnv('POSTGRES_URL'),
    async setup() {
      client = new Client({ connectionString: process.env['POSTGRES_URL'] });
      await client.connect();
      await client.query(
        `CREATE TABLE ${table} (tenant_id text, id text, document jsonb, PRIMARY KEY (tenant_id, id))`,
      );
    },
    async run(ctx) {
      const insert = (seq: number) =>
        client!.query(`INSERT INTO ${table} VALUES ($1, $2, $3)`, [
          't',
          `d-${String(seq)}-${String(Date.now())}`,
          { enabled: true, ext: { n: seq } },
        ]);
      return measureLoop(insert, {
        concurrency: 1,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      });
    },
    async teardown() {
      await client?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await client?.end();
    },
  };
}

@Module({})
class BenchRegistry {}

function registryModule(env: Record<string, string>): DynamicModule {
  const config = loadConfig(
    { persistence: PersistenceConfig, kafka: KafkaConfig, auth: ManagementAuthConfig },
    { ...env, MANAGEMENT_AUTH: 'none' },
  );
  return {
    module: BenchRegistry,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'bench' }),
      ManagementAuthModule.forRoot(
        resolveManagementAuth(config.auth, { embeddedDevMode: true, host: '127.0.0.1' }),
      ),
      TenantModule,
      DeviceRegistrationModule,
    ],
  };
}

function storeEnv(store: 'postgres' | 'mongodb'): Record<string, string> {
  return store === 'postgres'
    ? {
        PERSISTENCE_DRIVER: 'postgres',
        POSTGRES_URL: process.env['POSTGRES_URL'] ?? '',
        POSTGRES_SCHEMA: `bench_${store}_${RUN}`,
      }
    : {
        PERSISTENCE_DRIVER: 'mongodb',
        MONGODB_URI: process.env['MONGODB_URI'] ?? '',
        MONGODB_DATABASE: `bench_${RUN}`,
      };
}

/** The registry app in this process, with one tenant; requests go over loopback HTTP. */
function registryHarness(store: 'postgres' | 'mongodb', purpose: string) {
  let app: INestApplication | undefined;
  let base = '';
  const tenant = `bench-${purpose}-${store}-${RUN}`;
  return {
    tenant,
    url: (path: string) => `${base}${path}`,
    async start(): Promise<void> {
      const started = await createHttpApp(registryModule(storeEnv(store)), {
        host: '127.0.0.1',
        port: 0,
        bodyLimit: '16kb',
      });
      app = started.app;
      base = `http://127.0.0.1:${String(started.port)}`;
      const created = await fetch(`${base}/v1/tenants/${tenant}`, { method: 'POST' });
      if (created.status !== 201)
        throw new Error(`tenant create answered ${String(created.status)}`);
    },
    async stop(): Promise<void> {
      await app?.close();
    },
  };
}

/** `POST /v1/devices/{tenant}/{id}`, one at a time (Hono's management API, full stack). */
export function deviceCreateScenario(store: 'postgres' | 'mongodb'): Scenario {
  const registry = registryHarness(store, 'create');
  return {
    name: `registry:device-create/${store}`,
    baseline: BASELINE,
    skipReason: requireEnv(store === 'postgres' ? 'POSTGRES_URL' : 'MONGODB_URI'),
    setup: () => registry.start(),
    async run(ctx) {
      let n = 0;
      const create = async () => {
        const id = `d-${String(n++)}`;
        const reply = await fetch(registry.url(`/v1/devices/${registry.tenant}/${id}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ enabled: true, ext: { n } }),
        });
        await reply.arrayBuffer();
        if (reply.status !== 201) throw new Error(`create answered ${String(reply.status)}`);
      };
      const m = await measureLoop(create, {
        concurrency: 1,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      });
      return { ...m, extra: { devicesCreated: n } };
    },
    teardown: () => registry.stop(),
  };
}

/** Device search with a filter and a page of 10 over 1,000 devices, one at a time. */
export function deviceSearchScenario(store: 'postgres' | 'mongodb'): Scenario {
  const registry = registryHarness(store, 'search');
  const devices = 1_000;
  return {
    name: `registry:device-search/${store}`,
    baseline: BASELINE,
    skipReason: requireEnv(store === 'postgres' ? 'POSTGRES_URL' : 'MONGODB_URI'),
    async setup() {
      await registry.start();
      for (let i = 0; i < devices; i++) {
        const reply = await fetch(registry.url(`/v1/devices/${registry.tenant}/s-${String(i)}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ext: { group: `g${String(i % 50)}`, n: i } }),
        });
        await reply.arrayBuffer();
      }
    },
    async run(ctx) {
      let seq = 0;
      const search = async () => {
        const filter = encodeURIComponent(
          JSON.stringify({ field: '/ext/group', value: `g${String(seq++ % 50)}` }),
        );
        const sort = encodeURIComponent(JSON.stringify({ field: '/ext/n', direction: 'desc' }));
        const reply = await fetch(
          registry.url(
            `/v1/devices/${registry.tenant}?filterJson=${filter}&sortJson=${sort}&pageSize=10`,
          ),
        );
        await reply.arrayBuffer();
        if (reply.status !== 200) throw new Error(`search answered ${String(reply.status)}`);
      };
      const m = await measureLoop(search, {
        concurrency: 1,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      });
      return { ...m, extra: { devices } };
    },
    teardown: () => registry.stop(),
  };
}
