import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One environment variable: its name, its schema, what it means, and whether it is a secret. */
export interface EnvVar<S extends z.ZodType = z.ZodType> {
  readonly env: string;
  readonly schema: S;
  readonly description: string;
  readonly sensitive: boolean;
}

/**
 * Declares one environment variable.
 *
 * A sensitive variable may also be given as `<NAME>_FILE`, the path of a file holding the value
 * (the Kubernetes Secret convention); the value itself is never echoed in errors or summaries.
 */
export function envVar<S extends z.ZodType>(
  env: string,
  schema: S,
  description: string,
  options: { sensitive?: boolean } = {},
): EnvVar<S> {
  return { env, schema, description, sensitive: options.sensitive ?? false };
}

/** A named group of variables that parses into a typed object (e.g. `messaging.kafka`). */
export interface ConfigDefinition<V extends Record<string, EnvVar>> {
  readonly namespace: string;
  readonly vars: V;
  /** Checks across variables (e.g. a driver that requires a URL); returns problems, if any. */
  // Method syntax on purpose: parameters of methods are bivariant, so a definition with a
  // specific check still fits where any definition is accepted.
  check?(value: { [K in keyof V]: z.output<V[K]['schema']> }): string[];
}

/** The typed result of a definition. */
export type ConfigOf<D> =
  D extends ConfigDefinition<infer V> ? { [K in keyof V]: z.output<V[K]['schema']> } : never;

/** Declares a config namespace from its variables. */
export function defineConfig<V extends Record<string, EnvVar>>(
  namespace: string,
  vars: V,
  check?: (value: { [K in keyof V]: z.output<V[K]['schema']> }) => string[],
): ConfigDefinition<V> {
  return check ? { namespace, vars, check } : { namespace, vars };
}

/** Thrown once at start with every invalid variable listed, never the values of secrets. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * A non-secret value as errors and summaries may show it: the password of any URL user info in it
 * masked (`amqp://adapter:****@registry:5672`), since URLs that are not secrets themselves may still
 * carry one.
 */
export function redactValue(value: string): string {
  return value.replace(/\/\/([^:/@\s]+):[^@\s]*@/g, '//$1:****@');
}

function rawValue(v: EnvVar, env: Env): { value: string | undefined; problem?: string } {
  const direct = env[v.env];
  const file = env[`${v.env}_FILE`];
  if (direct !== undefined && direct !== '') return { value: direct };
  if (file !== undefined && file !== '') {
    try {
      return { value: readFileSync(file, 'utf8').trim() };
    } catch {
      return { value: undefined, problem: `${v.env}_FILE: cannot read ${file}` };
    }
  }
  return { value: undefined };
}

function parseOne<V extends Record<string, EnvVar>>(
  def: ConfigDefinition<V>,
  env: Env,
  problems: string[],
): ConfigOf<ConfigDefinition<V>> {
  const out: Record<string, unknown> = {};
  const before = problems.length;
  for (const [key, v] of Object.entries(def.vars)) {
    const { value, problem } = rawValue(v, env);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const result = v.schema.safeParse(value);
    if (result.success) {
      out[key] = result.data;
    } else {
      const shown = v.sensitive || value === undefined ? '' : ` (got "${redactValue(value)}")`;
      const reason = result.error.issues.map((i) => i.message).join('; ');
      problems.push(`${v.env}${shown}: ${reason} — ${v.description}`);
    }
  }
  const value = out as ConfigOf<ConfigDefinition<V>>;
  if (def.check && problems.length === before) problems.push(...def.check(value));
  return value;
}

/**
 * Parses several definitions at once and fails with one ConfigError listing every bad variable.
 * Call it once at start; pass the result around as typed objects.
 */
export function loadConfig<D extends Record<string, ConfigDefinition<Record<string, EnvVar>>>>(
  defs: D,
  env: Env = process.env,
): { [K in keyof D]: ConfigOf<D[K]> } {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) out[key] = parseOne(def, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return out as { [K in keyof D]: ConfigOf<D[K]> };
}

/** A printable summary of the effective configuration, with secrets masked. */
export function describeConfig(
  defs: Record<string, ConfigDefinition<Record<string, EnvVar>>>,
  env: Env = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const def of Object.values(defs)) {
    for (const v of Object.values(def.vars)) {
      const { value } = rawValue(v, env);
      if (value === undefined) continue;
      out[v.env] = v.sensitive ? '****' : redactValue(value);
    }
  }
  return out;
}

/** Common schemas for environment strings. */
export const envSchemas = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: () =>
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  url: (protocols: readonly string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL with scheme ${protocols.join(' or ')}`,
    ),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
};
