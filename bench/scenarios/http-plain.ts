import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { runAutocannon, type Scenario } from '../harness';

/** A 200-byte JSON body, the size of a typical telemetry message (performance.md §5.1 B_http). */
export const TELEMETRY_BODY = JSON.stringify({ temp: 21.5, hum: 40, pad: 'x'.repeat(169) });

/** Ceiling of Node's own HTTP stack on this machine: every HTTP scenario is compared to it. */
export function httpPlainBaseline(): Scenario {
  let server: Server | undefined;
  let url = '';
  return {
    name: 'baseline:http-plain',
    async setup() {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.statusCode = 202;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telemetry`;
    },
    run: (ctx) =>
      runAutocannon({
        url,
        method: 'POST',
        body: TELEMETRY_BODY,
        headers: { 'content-type': 'application/json' },
        connections: ctx.connections,
        durationMs: ctx.durationMs,
        warmupMs: ctx.warmupMs,
      }),
    async teardown() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => {
        if (server)
          server.close(() => {
            resolve();
          });
        else resolve();
      });
    },
  };
}
