import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { HttpErrorFilter } from './http-error.filter';
import { httpMetrics } from './http-metrics';
import { JsonLogger } from './json-logger';

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly host: string;
  readonly port: number;
  /** Largest accepted JSON body; bigger ones get 413 (Hono's default is in this range). */
  readonly bodyLimit?: string;
  /** `json`: one JSON object per log line with trace ids (services); `text`: Nest's (embedded). */
  readonly logFormat?: 'json' | 'text';
}

/** A Nest app on Express with Tessera's body limits and error mapping, listening. */
export async function createHttpApp(
  module: Type | DynamicModule,
  options: HttpAppOptions,
): Promise<{ app: INestApplication; port: number }> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: options.logFormat === 'json' ? new JsonLogger(['error', 'warn']) : ['error', 'warn'],
  });
  app.disable('x-powered-by');
  app.use(httpMetrics);
  // ETags are resource versions set by the controllers (Hono), not Express's body hashes.
  app.set('etag', false);
  app.useBodyParser('json', { limit: options.bodyLimit ?? '256kb', strict: false });
  app.useGlobalFilters(new HttpErrorFilter());
  await app.listen(options.port, options.host);
  const address = app.getHttpServer().address() as { port: number } | null;
  return { app, port: address?.port ?? options.port };
}
