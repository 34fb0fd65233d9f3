import type { LogLevel } from '@nestjs/common';
import { z } from 'zod';

import { type ConfigOf, defineConfig, envVar } from '@tessera/config';

/** The management API's TLS: key and certificate, and the CAs of required client certificates. */
export interface HttpTlsOptions {
  readonly key: string;
  readonly cert: string;
  /** With it, clients must present a certificate one of these CAs issued (mutual TLS). */
  readonly clientCa?: string | undefined;
}

/** The ports of 28080 and 28443: Hono's device registry management API, plain and TLS. */
export const MANAGEMENT_HTTP_PORT = 28080;
export const MANAGEMENT_HTTPS_PORT = 28443;

const optionalPort = z.coerce.number().int().min(0).max(65535).optional();

/**
 * Problems of one listener's TLS variables (`<prefix>_KEY`, `_CERT`, `_CLIENT_CA`): key and
 * certificate go together, a client CA needs them. Names only, never values.
 */
export function tlsProblems(
  prefix: string,
  tls: { key?: string | undefined; cert?: string | undefined; clientCa?: string | undefined },
): string[] {
  const problems: string[] = [];
  if ((tls.key === undefined) !== (tls.cert === undefined))
    problems.push(`${prefix}_KEY and ${prefix}_CERT go together (or their *_FILE variants)`);
  if (tls.clientCa !== undefined && (tls.key === undefined || tls.cert === undefined))
    problems.push(`${prefix}_CLIENT_CA needs ${prefix}_KEY and ${prefix}_CERT`);
  return problems;
}

/** The TLS options of a listener whose variables passed {@link tlsProblems}, or undefined. */
export function httpTls(tls: {
  key?: string | undefined;
  cert?: string | undefined;
  clientCa?: string | undefined;
}): HttpTlsOptions | undefined {
  if (tls.key === undefined || tls.cert === undefined) return undefined;
  return {
    key: tls.key,
    cert: tls.cert,
    ...(tls.clientCa === undefined ? {} : { clientCa: tls.clientCa }),
  };
}

/** Where a standalone registry service's HTTP server listens (management API, health, metrics). */
export const HttpServerConfig = defineConfig(
  'http',
  {
    host: envVar('HTTP_HOST', z.string().default('0.0.0.0'), 'address to listen on'),
    port: envVar(
      'HTTP_PORT',
      optionalPort,
      'management API port (default 28080, or 28443 with HTTP_TLS_KEY/HTTP_TLS_CERT, as Hono; 0 picks a free one)',
    ),
    bodyLimit: envVar(
      'HTTP_MAX_BODY',
      z.string().default('16kb'),
      'largest accepted request body (Hono: 16000 bytes)',
    ),
    tlsKey: envVar(
      'HTTP_TLS_KEY',
      z.string().optional(),
      'PEM private key; with the certificate the management API is served over HTTPS only',
      { sensitive: true },
    ),
    tlsCert: envVar(
      'HTTP_TLS_CERT',
      z.string().optional(),
      'PEM certificate (chain) of the HTTPS management API',
      { sensitive: true },
    ),
    tlsClientCa: envVar(
      'HTTP_TLS_CLIENT_CA',
      z.string().optional(),
      'PEM CA certificate(s): HTTPS clients must also present a certificate one of them issued',
      { sensitive: true },
    ),
    healthPort: envVar(
      'HEALTH_PORT',
      optionalPort,
      'a plain-HTTP port on HTTP_HOST serving only /liveness, /readiness and /metrics (probes and ' +
        'scrapers of an HTTPS API); unset: they are served with the API only',
    ),
  },
  (v) => tlsProblems('HTTP_TLS', { key: v.tlsKey, cert: v.tlsCert, clientCa: v.tlsClientCa }),
);

export type HttpServerConfig = ConfigOf<typeof HttpServerConfig>;

/** How a service's HTTP server listens, as {@link createHttpApp} takes it. */
export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly bodyLimit: string;
  /** HTTPS instead of HTTP. */
  readonly tls?: HttpTlsOptions | undefined;
  /** A second, plain-HTTP listener for `/liveness`, `/readiness` and `/metrics` only. */
  readonly healthPort?: number | undefined;
}

/**
 * What {@link resolveHttpServer} takes: a registry service's HttpServerConfig, or just a host, port
 * and body limit (the health port of an adapter).
 */
export interface HttpListenConfig {
  readonly host: string;
  readonly port?: number | undefined;
  readonly bodyLimit: string;
  readonly tlsKey?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsClientCa?: string | undefined;
  readonly healthPort?: number | undefined;
}

/**
 * The listener from validated config: HTTPS with a key and certificate (port 28443 unless given),
 * else HTTP (28080 unless given).
 */
export function resolveHttpServer(config: HttpListenConfig): HttpServerOptions {
  const tls = httpTls({ key: config.tlsKey, cert: config.tlsCert, clientCa: config.tlsClientCa });
  return {
    host: config.host,
    port: config.port ?? (tls ? MANAGEMENT_HTTPS_PORT : MANAGEMENT_HTTP_PORT),
    bodyLimit: config.bodyLimit,
    ...(tls ? { tls } : {}),
    ...(config.healthPort === undefined ? {} : { healthPort: config.healthPort }),
  };
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The Nest log levels up to and including `level` (`warn`: fatal, error and warn). */
export function logLevelsUpTo(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** How a standalone service logs (every service reads it, whatever else it is configured with). */
export const LogConfig = defineConfig('log', {
  format: envVar(
    'LOG_FORMAT',
    z.enum(['json', 'text']).default('json'),
    'json: one JSON object per line with trace_id/span_id; text: human-readable',
  ),
  level: envVar(
    'LOG_LEVEL',
    z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('warn'),
    'the most detailed level logged: error, warn, log (Nest’s info), debug or verbose',
  ),
});

export type LogConfig = ConfigOf<typeof LogConfig>;
