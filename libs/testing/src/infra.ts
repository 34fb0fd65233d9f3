import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The servers deploy/local/infra.sh starts, as integration tests see them. */
export interface InfraEnv {
  readonly kafkaBrokers: string[];
  readonly amqpUrl: string;
  readonly postgresUrl: string;
  readonly mongodbUri: string;
}

const REQUIRED = ['KAFKA_BROKERS', 'AMQP_URL', 'POSTGRES_URL', 'MONGODB_URI'] as const;

/** Variables missing from the environment (empty when `infra.sh up` ran and was sourced). */
export function missingInfraVars(env: NodeJS.ProcessEnv = process.env): string[] {
  return REQUIRED.filter((name) => !env[name]);
}

/**
 * The infrastructure endpoints. Throws with instructions when they are missing: integration tests
 * never fall back to mocks.
 */
export function infraEnv(env: NodeJS.ProcessEnv = process.env): InfraEnv {
  const missing = missingInfraVars(env);
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need real servers; missing ${missing.join(', ')}. ` +
        'Run `npm test`, or `bash deploy/local/infra.sh up && eval "$(bash deploy/local/infra.sh env)"` first.',
    );
  }
  return {
    kafkaBrokers: (env['KAFKA_BROKERS'] ?? '').split(','),
    amqpUrl: env['AMQP_URL'] ?? '',
    postgresUrl: env['POSTGRES_URL'] ?? '',
    mongodbUri: env['MONGODB_URI'] ?? '',
  };
}

/** A short id unique to this test run, for tenant ids, topics, schemas and databases. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** A Kafka broker of a test's own, in a private infra.sh state dir: it can be stopped and started. */
export interface PrivateKafka {
  /** `host:port` of the broker; the same after stop/start and restart. */
  readonly brokers: string[];
  /** The state dir (`TESSERA_INFRA_DIR`) holding its data, logs and env.sh. */
  readonly stateDir: string;
  /** Stops the broker process; data and port are kept (a broker outage). */
  stop(): Promise<void>;
  /** Starts the stopped broker again on the same port with its data; resolves once it answers. */
  start(): Promise<void>;
  /** stop() and start() in one go. */
  restart(): Promise<void>;
  /** Stops the broker for good and removes its state dir. */
  down(): Promise<void>;
}

const INFRA_SH = join(__dirname, '..', '..', '..', 'deploy', 'local', 'infra.sh');

/**
 * Starts a fresh single-node Kafka with `deploy/local/infra.sh up kafka` in a new temporary state
 * dir, so a test can take it down and bring it back without disturbing the shared servers. Each
 * infra.sh call may take `timeoutMs` (JVM start and log recovery on a busy machine). Call `down()`
 * in `afterAll`.
 */
export async function privateKafka(options: { timeoutMs?: number } = {}): Promise<PrivateKafka> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stateDir = await mkdtemp(join(tmpdir(), 'tessera-kafka-'));
  const env = { ...process.env, TESSERA_INFRA_DIR: stateDir };
  const infra = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        'bash',
        [INFRA_SH, ...args],
        { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            reject(
              new Error(`infra.sh ${args.join(' ')} failed (${error.message}):\n${stderr}`, {
                cause: error,
              }),
            );
          } else {
            resolve(stdout);
          }
        },
      );
    });
  const down = async (): Promise<void> => {
    try {
      await infra('down', 'kafka');
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  };
  try {
    await infra('up', 'kafka');
    const brokers = /KAFKA_BROKERS="([^"]+)"/.exec(await infra('env'))?.[1];
    if (!brokers) throw new Error(`no KAFKA_BROKERS in ${stateDir}/env.sh`);
    return {
      brokers: brokers.split(','),
      stateDir,
      stop: async () => {
        await infra('stop', 'kafka');
      },
      start: async () => {
        await infra('start', 'kafka');
      },
      restart: async () => {
        await infra('restart', 'kafka');
      },
      down,
    };
  } catch (e) {
    await down().catch(() => undefined);
    throw e;
  }
}
