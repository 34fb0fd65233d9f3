import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { DynamicModule, INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { HttpErrorFilter } from './http-error.filter';
import { httpMetrics } from './http-metrics';
import type { HttpTlsOptions } from './http-server.config';
import { logLevelsUpTo } from './http-server.config';
import { JsonLogger } from './json-logger';

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly host: string;
  readonly port: number;
  /** Largest accepted JSON body; bigger ones get 413 (Hono's default is in this range). */
  readonly bodyLimit?: string;
  /** `json`: one JSON object per log line with trace ids (services); `text`: Nest's (embedded). */
  readonly logFormat?: 'json' | 'text';
  /** The most detailed level logged (default `warn`). */
  readonly logLevel?: LogLevel;
  /** Serve HTTPS (only) with this key and certificate; with `clientCa`, mutual TLS. */
  readonly tls?: HttpTlsOptions | undefined;
  /**
   * Also listen on this port (same host) with plain HTTP for `/liveness`, `/readiness` and
   * `/metrics` only: probes and scrapers that cannot present a client certificate.
   */
  readonly healthPort?: number | undefined;
}

/** A started {@link createHttpApp}. */
export interface HttpApp {
  readonly app: INestApplication;
  /** The port the API listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** `https` with TLS, else `http`. */
  readonly scheme: 'http' | 'https';
  /** The health listener's port, if one was asked for. */
  readonly healthPort?: number | undefined;
}

/** What the health listener serves: the probes and the Prometheus endpoint, nothing else. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/liveness', '/readiness', '/metrics']);

/** A Nest app on Express with Tessera's body limits and error mapping, listening. */
export async function createHttpApp(
  module: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<HttpApp> {
  const levels = logLevelsUpTo(options.logLevel ?? 'warn');
  const tls = options.tls;
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logFormat === 'json' ? new JsonLogger(levels) : levels,
    ...(tls === undefined
      ? {}
      : {
          httpsOptions: {
            key: tls.key,
            cert: tls.cert,
            ...(tls.clientCa === undefined
              ? {}
              : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
          },
        }),
  });
  app.disable('x-powered-by');
  app.use(httpMetrics);
  // ETags are resource versions set by the controllers (Hono), not Express's body hashes.
  app.set('etag', false);
  app.useBodyParser('json', {
    limit: options.bodyLimit ?? '256kb',
    strict: false,
    // An empty chunked body parses as {}: the raw length tells it from a real one (http-body.ts).
    verify: (req: object, _res: unknown, raw: Buffer) => {
      (req as { rawBodyLength?: number }).rawBodyLength = raw.length;
    },
  });
  app.useGlobalFilters(new HttpErrorFilter());
  await app.listen(options.port, options.host);
  const server: Server = app.getHttpServer();
  const address = server.address() as AddressInfo | null;
  const port = address?.port ?? options.port;
  const scheme = tls === undefined ? 'http' : 'https';
  if (options.healthPort === undefined) return { app, port, scheme };
  try {
    const health = await listenHealth(app, options.host, options.healthPort);
    // Closed with the app (app.close() closes the API server).
    server.once('close', () => {
      health.close();
      health.closeAllConnections();
    });
    return { app, port, scheme, healthPort: (health.address() as AddressInfo).port };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/** A plain-HTTP server handing {@link HEALTH_PATHS} to the app's Express instance, 404 else. */
async function listenHealth(app: INestApplication, host: string, port: number): Promise<Server> {
  const express = app.getHttpAdapter().getInstance() as (
    request: IncomingMessage,
    response: ServerResponse,
  ) => void;
  const health = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if ((request.method === 'GET' || request.method === 'HEAD') && HEALTH_PATHS.has(path)) {
      express(request, response);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":"resource not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    health.once('error', reject);
    health.listen(port, host, () => {
      health.off('error', reject);
      resolve();
    });
  });
  return health;
}
