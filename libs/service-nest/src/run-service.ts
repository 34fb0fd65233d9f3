import type { DynamicModule, INestApplication } from '@nestjs/common';
import { z } from 'zod';

import { ConfigError, defineConfig, envSchemas, envVar, loadConfig } from '@tessera/config';

import { createHttpApp } from './http-app';

/** Where a standalone service's HTTP server listens (management API, health, metrics). */
export const HttpServerConfig = defineConfig('http', {
  host: envVar('HTTP_HOST', z.string().default('0.0.0.0'), 'address to listen on'),
  port: envVar('HTTP_PORT', envSchemas.port(28080), 'HTTP port (Hono’s management API port)'),
  bodyLimit: envVar(
    'HTTP_MAX_BODY',
    z.string().default('16kb'),
    'largest accepted request body (Hono: 16000 bytes)',
  ),
});

/** How a standalone service logs (every service reads it, whatever else it is configured with). */
export const LogConfig = defineConfig('log', {
  format: envVar(
    'LOG_FORMAT',
    z.enum(['json', 'text']).default('json'),
    'json: one JSON object per line with trace_id/span_id; text: human-readable',
  ),
});

/**
 * Runs one standalone service: builds its module from validated config, listens, and shuts down
 * cleanly on SIGINT/SIGTERM. A configuration error is printed once, listing every problem.
 */
export async function runHttpService(options: {
  readonly name: string;
  /** Loads the config (throwing ConfigError on bad input) and builds the root module. */
  readonly configure: () => {
    module: DynamicModule;
    http: { host: string; port: number; bodyLimit: string };
  };
  readonly onStop?: () => Promise<void>;
  /** Further endpoints to announce once started (e.g. the registry's AMQP port). */
  readonly announce?: (app: INestApplication) => readonly string[];
}): Promise<void> {
  try {
    const { module, http } = options.configure();
    const { log } = loadConfig({ log: LogConfig });
    const { app, port } = await createHttpApp(module, { ...http, logFormat: log.format });
    process.stdout.write(`${options.name} listening on http://${http.host}:${String(port)}\n`);
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
