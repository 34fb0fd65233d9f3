import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { infraEnv, uniqueId } from './infra';
import { freePort, type ServiceProcess, startService } from './processes';

/** The stores a registry process can run on: the run's PostgreSQL or its MongoDB (FerretDB). */
export type RegistryStore = 'postgres' | 'mongodb';

/** The embedded registry as its own process, on the real PostgreSQL and Kafka of the test run. */
export interface RegistryProcess {
  readonly process: ServiceProcess;
  /** The store it runs on. */
  readonly store: RegistryStore;
  /** Base URL of the management API (unauthenticated: loopback embedded mode). */
  readonly managementUrl: string;
  /** The anonymous loopback AMQP URL of the registry APIs. */
  readonly amqpUrl: string;
  /** Calls the management API; resolves with the status and parsed body. */
  manage(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/**
 * Starts the registry (embedded mode: tenant, device-registration and credentials in one process)
 * with a PostgreSQL schema (or MongoDB database) of its own and its notifications on the run's
 * Kafka, as adapters in production see it.
 * @param options.kafkaBrokers another Kafka than the run's (a test's private broker); empty: the
 *   in-process broker of embedded mode (notifications stay inside the process).
 * @param options.store the run's PostgreSQL (default, a schema of its own) or its MongoDB (a
 *   database of its own).
 * @param options.env further variables (e.g. `PROVISIONING_NOTIFICATION_AMQP_URL`).
 */
export async function startRegistryProcess(
  options: {
    kafkaBrokers?: readonly string[];
    store?: RegistryStore;
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<RegistryProcess> {
  const { postgresUrl, mongodbUri } = infraEnv();
  const store = options.store ?? 'postgres';
  const kafkaBrokers = options.kafkaBrokers ?? infraEnv().kafkaBrokers;
  const [management, amqp] = [await freePort(), await freePort()];
  const persistence: Record<string, string> =
    store === 'mongodb'
      ? {
          PERSISTENCE_DRIVER: 'mongodb',
          MONGODB_URI: mongodbUri,
          MONGODB_DATABASE: uniqueId('adapters'),
        }
      : {
          PERSISTENCE_DRIVER: 'postgres',
          POSTGRES_URL: postgresUrl,
          POSTGRES_SCHEMA: uniqueId('adapters'),
        };
  const process = await startService(
    'embedded',
    {
      ...persistence,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      MANAGEMENT_PORT: String(management),
      AMQP_PORT: String(amqp),
      BCRYPT_COST: '4',
      // The registry alone: the adapters under test run as processes of their own.
      TESSERA_ADAPTERS: 'false',
      TESSERA_ENDPOINTS_FILE: join(mkdtempSync(join(tmpdir(), 'tessera-reg-')), 'endpoints.json'),
      ...options.env,
    },
    { ready: /ready in \d+ ms/, timeoutMs: 90_000 },
  );
  const managementUrl = `http://127.0.0.1:${String(management)}`;
  return {
    process,
    store,
    managementUrl,
    amqpUrl: `amqp://127.0.0.1:${String(amqp)}`,
    async manage(method, path, body) {
      const response = await fetch(`${managementUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed };
    },
  };
}
