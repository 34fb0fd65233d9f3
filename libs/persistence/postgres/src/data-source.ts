import { DataSource } from 'typeorm';

import { migrations } from './migrations';
import { TenantEntity } from './tenant.entity';

/** Where the PostgreSQL store lives. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** Schema for all tables (created if missing); lets tests and tenants of a cluster stay apart. */
  readonly schema?: string;
  readonly poolSize?: number;
}

/** Connects, creates the schema if needed and runs pending migrations. */
export async function openPostgres(options: PostgresOptions): Promise<DataSource> {
  const schema = options.schema ?? 'public';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`invalid schema name: ${schema}`);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    entities: [TenantEntity],
    migrations,
    migrationsTableName: 'migrations',
    extra: { max: options.poolSize ?? 10, options: `-c search_path=${schema}` },
    logging: false,
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await dataSource.runMigrations({ transaction: 'all' });
  return dataSource;
}
