import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
const snap = () => { let b = 0, t = 0; for (const { times: x } of cpus()) { b += x.user + x.nice + x.sys + x.irq; t += x.user + x.nice + x.sys + x.irq + x.idle; } const u = process.cpuUsage(); return { b, t, s: (u.user + u.system) / 1000 }; };
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { autocannonLoad, runAutocannon } from './harness';
import { TELEMETRY_BODY } from './scenarios/http-plain';

void (async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 202;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telemetry`;
  const o = {
    url,
    method: 'POST' as const,
    body: TELEMETRY_BODY,
    headers: { 'content-type': 'application/json' },
    connections: 50,
    durationMs: 10000,
    warmupMs: 2000,
  };
  const idle = () => Number(execFileSync('bash', ['/tmp/bt/idle.sh']).toString());
  for (const mode of (process.argv[2] ?? 'same,worker,same,worker').split(',')) {
    const i = idle();
    const m = mode === 'same' ? await autocannonLoad(o) : await runAutocannon(o);
    console.log(
      mode,
      `idle-before=${i}%`,
      Math.round(m.opsPerSec),
      m.p50.toFixed(2),
      m.p99.toFixed(2),
    );
  }
  server.close();
  if (process.argv[3]) {
    // child process generator: autocannon CLI
    const s2 = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 202;
        res.end();
      });
    });
    await new Promise<void>((r) => s2.listen(0, '127.0.0.1', r));
    const u2 = `http://127.0.0.1:${(s2.address() as AddressInfo).port}/telemetry`;
    const { spawn } = await import('node:child_process');
    for (let k = 0; k < 2; k++) {
      const out = await new Promise<string>((resolve) => {
        const c = spawn('node', [
          'node_modules/autocannon/autocannon.js',
          '-c',
          '50',
          '-d',
          '10',
          '-m',
          'POST',
          '-b',
          TELEMETRY_BODY,
          '-H',
          'content-type=application/json',
          '-j',
          u2,
        ]);
        let buf = '';
        c.stdout.on('data', (d: Buffer) => (buf += d.toString()));
        c.on('close', () => resolve(buf));
      });
      const r = JSON.parse(out) as {
        requests: { average: number };
        latency: { p50: number; p99: number };
      };
      console.log('child', Math.round(r.requests.average), r.latency.p50, r.latency.p99);
    }
    s2.close();
  }
})();
