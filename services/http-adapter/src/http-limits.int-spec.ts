import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  curl,
  freePort,
  infraEnv,
  kcatRead,
  type RegistryProcess,
  type ServiceProcess,
  startRegistryProcess,
  startService,
  uniqueId,
  untilPasses,
} from '@tessera/testing';

/*
 * The HTTP adapter's bounds on what one client may send, end to end with curl: the request head
 * (431), a body streamed beyond the payload limit (413) and a client sending its head too slowly
 * (408). Each refusal concerns that request only; the adapter serves the others meanwhile.
 */

const { kafkaBrokers } = infraEnv();

describe('HTTP adapter request limits', () => {
  let registry: RegistryProcess;
  let adapter: ServiceProcess;
  let port = 0;
  let httpUrl = '';
  const tenant = uniqueId('httpbounds');

  async function manage(method: string, path: string, body?: unknown): Promise<void> {
    const reply = await registry.manage(method, path, body);
    if (reply.status >= 300) {
      throw new Error(`${method} ${path}: ${String(reply.status)} ${JSON.stringify(reply.body)}`);
    }
  }

  const telemetry = (payload: string, extra: readonly string[] = []) =>
    curl([
      ...['-u', `d1@${tenant}:secret-1`, '-X', 'POST'],
      ...['-H', 'content-type: text/plain', '--data-binary', payload, ...extra],
      `${httpUrl}/telemetry`,
    ]);

  async function recordWith(payload: string): Promise<void> {
    await untilPasses(async () => {
      const records = await kcatRead(kafkaBrokers, `hono.telemetry.${tenant}`);
      if (!records.some((r) => r.payload === payload)) throw new Error(`no "${payload}" yet`);
    }, 20_000);
  }

  beforeAll(async () => {
    registry = await startRegistryProcess();
    port = await freePort();
    adapter = await startService(
      'http-adapter',
      {
        REGISTRY_AMQP_URL: registry.amqpUrl,
        KAFKA_BROKERS: kafkaBrokers.join(','),
        HTTP_ADAPTER_HOST: '127.0.0.1',
        HTTP_ADAPTER_PORT: String(port),
        HTTP_ADAPTER_MAX_HEADER_SIZE: '4096',
        HTTP_ADAPTER_HEADERS_TIMEOUT_MS: '1000',
        HTTP_ADAPTER_REQUEST_TIMEOUT_MS: '2000',
        HEALTH_HOST: '127.0.0.1',
        HEALTH_PORT: String(await freePort()),
      },
      { ready: /listening on http:\/\/.*\(devices, HTTP\)/ },
    );
    httpUrl = `http://127.0.0.1:${String(port)}`;
    await manage('POST', `/v1/tenants/${tenant}`, {});
    await manage('POST', `/v1/devices/${tenant}/d1`, {});
    await manage('PUT', `/v1/credentials/${tenant}/d1`, [
      { type: 'hashed-password', 'auth-id': 'd1', secrets: [{ 'pwd-plain': 'secret-1' }] },
    ]);
  }, 180_000);

  afterAll(async () => {
    await adapter.stop();
    await registry.process.stop();
  });

  it('answers 431 to a request whose headers exceed HTTP_ADAPTER_MAX_HEADER_SIZE, and serves another meanwhile', async () => {
    const [big, normal] = await Promise.all([
      telemetry('too-big-head', ['-H', `x-padding: ${'p'.repeat(5_000)}`]),
      telemetry('beside-big-head'),
    ]);
    expect(big.status).toBe(431);
    expect(normal.status).toBe(202);
    // Headers just within the limit pass.
    expect((await telemetry('padded', ['-H', `x-padding: ${'p'.repeat(3_000)}`])).status).toBe(202);
    expect((await telemetry('after-big-head')).status).toBe(202);
    await recordWith('after-big-head');
    const payloads = (await kcatRead(kafkaBrokers, `hono.telemetry.${tenant}`)).map(
      (r) => r.payload,
    );
    expect(payloads).not.toContain('too-big-head');
  });

  it('answers 413 to a chunked body that grows beyond MAX_PAYLOAD_SIZE, and serves the next request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'http-limits-'));
    const file = join(dir, 'body.bin');
    writeFileSync(file, Buffer.alloc(8 * 1024 * 1024, 0x61));
    try {
      const streamed = await curl([
        ...['-u', `d1@${tenant}:secret-1`, '-X', 'POST', '-H', 'content-type: text/plain'],
        ...['-H', 'transfer-encoding: chunked', '--data-binary', `@${file}`],
        `${httpUrl}/telemetry`,
      ]);
      expect(streamed.status).toBe(413);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect((await telemetry('after-streamed-body')).status).toBe(202);
  });

  it('closes a connection that sends its headers too slowly with 408, and serves others meanwhile', async () => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        resolve();
      });
    });
    socket.write(`POST /telemetry HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n`);
    // One header line a second: slower than the 1 s the adapter gives a request head.
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('x-slow: 1\r\n');
    }, 1_000);
    try {
      expect((await telemetry('beside-slow-client')).status).toBe(202);
      await closed;
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect((await telemetry('after-slow-client')).status).toBe(202);
  }, 30_000);
});
