import { randomUUID } from 'node:crypto';

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
