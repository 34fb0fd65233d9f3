import { type DynamicModule, type INestApplication, Module } from '@nestjs/common';

import { loadConfig } from '@tessera/config';
import { CredentialsModule } from '@tessera/credentials-service';
import { DeviceRegistrationModule } from '@tessera/device-registration-service';
import { type Message } from '@tessera/messaging';
import { AmqpRequestResponseClient } from '@tessera/messaging-amqp';
import {
  AMQP_ENDPOINT,
  type AmqpEndpoint,
  AmqpEndpointModule,
  KafkaConfig,
  MessagingModule,
} from '@tessera/messaging-nest';
import { PersistenceConfig, PersistenceModule } from '@tessera/persistence-nest';
import {
  ManagementAuthConfig,
  ManagementAuthModule,
  resolveManagementAuth,
} from '@tessera/registry-kit';
import { createHttpApp } from '@tessera/service-nest';
import { createRegistryClients } from '@tessera/registry-client';
import { TenantModule } from '@tessera/tenant-service';

import { measureLoop, requireEnv, runInWorker, type Measurement, type Scenario } from '../harness';

const RUN = Date.now().toString(36);
const DEVICES = 1_000;

@Module({})
class BenchRegistryAmqp {}

function registryModule(): DynamicModule {
  const config = loadConfig(
    { persistence: PersistenceConfig, kafka: KafkaConfig, auth: ManagementAuthConfig },
    {
      PERSISTENCE_DRIVER: 'postgres',
      POSTGRES_URL: process.env['POSTGRES_URL'] ?? '',
      POSTGRES_SCHEMA: `bench_amqp_${RUN}`,
      MANAGEMENT_AUTH: 'none',
    },
  );
  return {
    module: BenchRegistryAmqp,
    imports: [
      PersistenceModule.forRoot(config.persistence),
      MessagingModule.forRoot(config.kafka, { consumerGroup: 'bench-amqp' }),
      ManagementAuthModule.forRoot(
        resolveManagementAuth(config.auth, { embeddedDevMode: true, host: '127.0.0.1' }),
      ),
      AmqpEndpointModule.forRoot({
        host: '127.0.0.1',
        port: 0,
        security: { allowAnonymous: true },
      }),
      TenantModule,
      DeviceRegistrationModule,
      CredentialsModule.forRoot({ bcryptCost: 4, maxBcryptCost: 10 }),
    ],
  };
}

/**
 * One registry (tenant, device registration and credentials in this process, PostgreSQL) shared by
 * every scenario of this file: a tenant with 1,000 devices, each with a password, every tenth
 * device behind a gateway.
 */
const shared = (() => {
  let app: INestApplication | undefined;
  let users = 0;
  let port = 0;
  let seeded = false;
  const tenant = `bench-amqp-${RUN}`;
  return {
    tenant,
    port: () => port,
    async acquire(): Promise<void> {
      users++;
      if (app) return;
      const started = await createHttpApp(registryModule(), {
        host: '127.0.0.1',
        port: 0,
        bodyLimit: '16kb',
      });
      app = started.app;
      port = app.get<AmqpEndpoint>(AMQP_ENDPOINT).port ?? 0;
      const base = `http://127.0.0.1:${String(started.port)}`;
      const call = async (method: string, path: string, body: unknown): Promise<void> => {
        const reply = await fetch(`${base}${path}`, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await reply.arrayBuffer();
        if (reply.status >= 300) throw new Error(`${method} ${path}: ${String(reply.status)}`);
      };
      // The schema outlives the app between scenarios (baselines run in between).
      if (seeded) return;
      seeded = true;
      await call('POST', `/v1/tenants/${tenant}`, {});
      await call('POST', `/v1/devices/${tenant}/gw`, {});
      for (let i = 0; i < DEVICES; i++) {
        await call('POST', `/v1/devices/${tenant}/d-${String(i)}`, {
          ...(i % 10 === 0 ? { via: ['gw'] } : {}),
          defaults: { 'content-type': 'application/json' },
        });
        await call('PUT', `/v1/credentials/${tenant}/d-${String(i)}`, [
          {
            type: 'hashed-password',
            'auth-id': `a-${String(i)}`,
            secrets: [{ 'pwd-plain': 'bench-password' }],
          },
        ]);
      }
    },
    async release(): Promise<void> {
      if (--users > 0 || !app) return;
      await app.close();
      app = undefined;
    },
  };
})();

type Operation = 'assert' | 'credentials-get';

/**
 * Hono's `assert` (`registration/<tenant>`) and Credentials `get` (`credentials/<tenant>`) over
 * AMQP 1.0 from a worker thread (standing in for an adapter), every request a cache miss: the
 * registry's own cost on top of rhea's request/response ceiling, measured in the same run.
 */
export function registryAmqpScenario(
  operation: Operation,
  concurrency: number,
  path: 'miss' | 'hit' = 'miss',
): Scenario {
  return {
    name: `registry-amqp:${operation}${path === 'hit' ? '-cached' : ''}/c${String(concurrency)}`,
    baseline: `baseline:amqp-raw-request-reply/c${String(concurrency)}`,
    // Misses must keep ≥ 0.3× rhea's own request/reply; hits never leave the adapter's process.
    target:
      path === 'hit'
        ? { minRatio: 1 }
        : concurrency === 1
          ? { minRatio: 0.3, maxP99Ms: 3 }
          : { minRatio: 0.3 },
    skipReason: requireEnv('POSTGRES_URL'),
    setup: () => shared.acquire(),
    run: (ctx) =>
      runInWorker(__filename, 'registryAmqpLoad', {
        port: shared.port(),
        tenant: shared.tenant,
        operation,
        cached: path === 'hit',
        concurrency,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      } satisfies RegistryAmqpLoadOptions),
    teardown: () => shared.release(),
  };
}

export interface RegistryAmqpLoadOptions {
  port: number;
  tenant: string;
  operation: Operation;
  /** Through the registry client's response cache (all hits once warm) instead of raw requests. */
  cached: boolean;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/** Worker side: the project's AMQP request/response client, one connection, as an adapter has. */
export async function registryAmqpLoad(options: RegistryAmqpLoadOptions): Promise<Measurement> {
  const client = new AmqpRequestResponseClient({ url: `amqp://127.0.0.1:${String(options.port)}` });
  await client.start();
  const check = (reply: Message): void => {
    if (reply.properties?.['status'] !== 200)
      throw new Error(`status ${String(reply.properties?.['status'])}`);
  };
  const clients = createRegistryClients(client);
  const cachedCall =
    options.operation === 'assert'
      ? async (seq: number) => {
          const n = seq % DEVICES;
          await clients.registration.assertRegistration(
            options.tenant,
            `d-${String(n)}`,
            n % 10 === 0 ? 'gw' : undefined,
          );
        }
      : async (seq: number) => {
          await clients.credentials.get(
            options.tenant,
            'hashed-password',
            `a-${String(seq % DEVICES)}`,
          );
        };
  const rawCall =
    options.operation === 'assert'
      ? async (seq: number) => {
          const n = seq % DEVICES;
          check(
            await client.request(`registration/${options.tenant}`, {
              subject: 'assert',
              properties: {
                device_id: `d-${String(n)}`,
                ...(n % 10 === 0 ? { gateway_id: 'gw' } : {}),
              },
            }),
          );
        }
      : async (seq: number) => {
          check(
            await client.request(`credentials/${options.tenant}`, {
              subject: 'get',
              contentType: 'application/json',
              body: Buffer.from(
                JSON.stringify({
                  type: 'hashed-password',
                  'auth-id': `a-${String(seq % DEVICES)}`,
                }),
              ),
            }),
          );
        };
  const call = options.cached ? cachedCall : rawCall;
  const measurement = await measureLoop(call, {
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
  });
  await client.stop();
  const stats = clients.stats();
  const cache = options.operation === 'assert' ? stats.registration : stats.credentials;
  return {
    ...measurement,
    extra: {
      concurrency: options.concurrency,
      devices: DEVICES,
      ...(options.cached ? { cacheHits: cache.hits, cacheMisses: cache.misses } : {}),
    },
  };
}
