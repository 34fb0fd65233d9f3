import { createServer } from 'node:net';

import type {
  CredentialsRepository,
  DeviceRepository,
  TenantRepository,
} from '@tessera/persistence';
import {
  MongoCredentialsRepository,
  MongoDeviceRepository,
  MongoTenantRepository,
  openMongo,
} from '@tessera/persistence-mongo';
import {
  openPostgres,
  PostgresCredentialsRepository,
  PostgresDeviceRepository,
  PostgresTenantRepository,
  startEmbeddedPostgres,
} from '@tessera/persistence-postgres';

import type { PersistenceConfig } from './persistence.config';

/** The repositories of one store, and how to release it. */
export interface Store {
  readonly driver: PersistenceConfig['driver'];
  /** Where the store is, without credentials (for logs and endpoints.json). */
  readonly location: string;
  readonly tenants: TenantRepository;
  readonly devices: DeviceRepository;
  readonly credentials: CredentialsRepository;
  /** Resolves true while the store answers (for `/readiness`). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

/** Opens the configured store (starting embedded PostgreSQL first where configured). */
export async function openStore(config: PersistenceConfig): Promise<Store> {
  return closingOnce(await openStoreOnce(config));
}

// Shutdown hooks and signal handlers may both close the store; the second call must be harmless.
function closingOnce(store: Store): Store {
  let closed: Promise<void> | undefined;
  return { ...store, close: () => (closed ??= store.close()) };
}

async function openStoreOnce(config: PersistenceConfig): Promise<Store> {
  if (config.driver === 'mongodb') {
    const mongo = await openMongo({
      uri: config.mongodbUri ?? '',
      database: config.mongodbDatabase,
    });
    return {
      driver: config.driver,
      location: `mongodb database ${config.mongodbDatabase}`,
      tenants: new MongoTenantRepository(mongo.db),
      devices: new MongoDeviceRepository(mongo.db),
      credentials: new MongoCredentialsRepository(mongo.db),
      ping: () =>
        mongo.db.command({ ping: 1 }).then(
          () => true,
          () => false,
        ),
      close: () => mongo.close(),
    };
  }
  let url = config.postgresUrl ?? '';
  let stopEmbedded = (): Promise<void> => Promise.resolve();
  if (config.driver === 'embedded-postgres') {
    const port = config.embeddedPostgresPort === 0 ? await freePort() : config.embeddedPostgresPort;
    const embedded = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/postgres`, port });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  try {
    const dataSource = await openPostgres({ url, schema: config.postgresSchema });
    return {
      driver: config.driver,
      location: url.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:****@'),
      tenants: new PostgresTenantRepository(dataSource),
      devices: new PostgresDeviceRepository(dataSource),
      credentials: new PostgresCredentialsRepository(dataSource),
      ping: () =>
        dataSource.query('SELECT 1').then(
          () => true,
          () => false,
        ),
      close: async () => {
        if (dataSource.isInitialized) await dataSource.destroy();
        await stopEmbedded();
      },
    };
  } catch (e) {
    await stopEmbedded();
    throw e;
  }
}
