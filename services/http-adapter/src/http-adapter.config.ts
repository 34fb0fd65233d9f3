import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/**
 * The HTTP adapter's listeners (Hono's ports: 8080 plain, 8443 TLS, health on 8088) and the bounds
 * of a request's head and its timing (slow clients cannot hold connections open).
 */
export const HttpAdapterConfig = defineConfig(
  'httpAdapter',
  {
    host: envVar('HTTP_ADAPTER_HOST', z.string().default('0.0.0.0'), 'address devices connect to'),
    port: envVar(
      'HTTP_ADAPTER_PORT',
      envSchemas.port(8080),
      'plain HTTP port for devices (0 picks a free one)',
    ),
    insecureEnabled: envVar(
      'HTTP_ADAPTER_INSECURE_ENABLED',
      envSchemas.boolean(true),
      'serve plain HTTP as well (set false to allow TLS only)',
    ),
    tlsPort: envVar('HTTP_ADAPTER_TLS_PORT', envSchemas.port(8443), 'HTTPS port for devices'),
    tlsKey: envVar(
      'HTTP_ADAPTER_TLS_KEY',
      z.string().optional(),
      'PEM private key; with the certificate, HTTPS with client-certificate authentication is served',
      { sensitive: true },
    ),
    tlsCert: envVar(
      'HTTP_ADAPTER_TLS_CERT',
      z.string().optional(),
      'PEM certificate (chain) of the HTTPS listener',
      { sensitive: true },
    ),
    maxHeaderSize: envVar(
      'HTTP_ADAPTER_MAX_HEADER_SIZE',
      envSchemas.positiveInt(8_192),
      'largest request line plus headers (bytes); a larger request is answered 431 and its connection closed',
    ),
    headersTimeoutMs: envVar(
      'HTTP_ADAPTER_HEADERS_TIMEOUT_MS',
      envSchemas.positiveInt(10_000),
      'how long a client may take to send the request headers (ms); then 408 and the connection is closed',
    ),
    requestTimeoutMs: envVar(
      'HTTP_ADAPTER_REQUEST_TIMEOUT_MS',
      envSchemas.positiveInt(30_000),
      'how long a client may take to send the whole request, body included (ms); then 408',
    ),
    healthHost: envVar(
      'HEALTH_HOST',
      z.string().default('0.0.0.0'),
      'address of /liveness, /readiness, /metrics',
    ),
    healthPort: envVar(
      'HEALTH_PORT',
      envSchemas.port(8088),
      'port of /liveness, /readiness, /metrics',
    ),
  },
  (v) =>
    v.headersTimeoutMs > v.requestTimeoutMs
      ? ['HTTP_ADAPTER_HEADERS_TIMEOUT_MS must not exceed HTTP_ADAPTER_REQUEST_TIMEOUT_MS']
      : [],
);

export type HttpAdapterConfig = ConfigOf<typeof HttpAdapterConfig>;
