import type { NextFunction, Request, Response } from 'express';

import { counter, histogram } from '@tessera/telemetry';

const requests = counter(
  'tessera.http.requests',
  'HTTP API requests (management API, health) by method, route and status',
);
const durations = histogram(
  'tessera.http.request.duration',
  'Time to answer an HTTP API request',
  's',
);

/**
 * Express middleware counting every request by method, route pattern (e.g.
 * `/v1/devices/:tenantId/:deviceId`, so ids do not become labels) and status, with its duration.
 */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const path = (req.route as { path?: unknown } | undefined)?.path;
    const route = typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
    const attributes = { method: req.method, route, status: String(res.statusCode) };
    requests.add(1, attributes);
    durations.record(Number(process.hrtime.bigint() - started) / 1e9, attributes);
  });
  next();
}
