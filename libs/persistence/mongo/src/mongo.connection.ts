import { type Db, MongoClient } from 'mongodb';

import { ensureIndexes } from './indexes';

/** Where the MongoDB store lives. */
export interface MongoOptions {
  /** `mongodb://host:port/` */
  readonly uri: string;
  /** Database name; tests use one each, so they need no clean-up of others' data. */
  readonly database: string;
}

/** An open database with its indexes in place. */
export interface MongoStore {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

/** Connects and creates the indexes (idempotent). */
export async function openMongo(options: MongoOptions): Promise<MongoStore> {
  const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 5_000, maxPoolSize: 10 });
  await client.connect();
  const db = client.db(options.database);
  await ensureIndexes(db);
  return { client, db, close: () => client.close() };
}
