import type { DynamicModule, INestApplication } from '@nestjs/common';

import { ConfigError, loadConfig } from '@tessera/config';

import { createHttpApp } from './http-app';
import { type HttpListenConfig, LogConfig, resolveHttpServer } from './http-server.config';

/**
 * Runs one standalone service: builds its module from validated config, listens, and shuts down
 * cleanly on SIGINT/SIGTERM. A configuration error is printed once, listing every problem (names,
 * never the values of secrets).
 */
export async function runHttpService(options: {
  readonly name: string;
  /**
   * Loads the config (throwing ConfigError on bad input) and builds the root module; `http` is
   * where the HTTP server listens: a registry service's HttpServerConfig (HTTPS with
   * HTTP_TLS_KEY/HTTP_TLS_CERT, a plain health port with HEALTH_PORT), or an adapter's health port.
   */
  readonly configure: () => { module: DynamicModule; http: HttpListenConfig };
  readonly onStop?: () => Promise<void>;
  /** Further endpoints to announce once started (e.g. the registry's AMQP port). */
  readonly announce?: (app: INestApplication) => readonly string[];
}): Promise<void> {
  try {
    const configured = options.configure();
    const { module } = configured;
    const http = resolveHttpServer(configured.http);
    const { log } = loadConfig({ log: LogConfig });
    const { app, port, scheme, healthPort } = await createHttpApp(module, {
      ...http,
      logFormat: log.format,
      logLevel: log.level,
    });
    process.stdout.write(`${options.name} listening on ${scheme}://${http.host}:${String(port)}\n`);
    if (healthPort !== undefined)
      process.stdout.write(
        `${options.name} listening on http://${http.host}:${String(healthPort)} (/liveness, /readiness, /metrics)\n`,
      );
    for (const line of options.announce?.(app) ?? []) {
      process.stdout.write(`${options.name} listening on ${line}\n`);
    }
    let stopping = false;
    const stop = async (): Promise<void> => {
      if (stopping) return;
      stopping = true;
      await app.close();
      await options.onStop?.();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  } catch (error) {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `${options.name} failed to start: ${String(error)}\n`,
    );
    process.exit(1);
  }
}
