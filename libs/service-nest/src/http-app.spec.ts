import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

import { Controller, Get, type INestApplication, Module } from '@nestjs/common';

import { type TestCertificate, TestPki } from '@tessera/testing';

import { HealthModule } from './health';
import { createHttpApp } from './http-app';

@Controller('v1/things')
class ThingsController {
  @Get()
  list(): string[] {
    return ['thing'];
  }
}

@Module({ imports: [HealthModule], controllers: [ThingsController] })
class TestApp {}

interface Reply {
  readonly status: number;
  readonly body: string;
}

function call(url: string, options: RequestOptions = {}): Promise<Reply> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe(createHttpApp.name, () => {
  jest.setTimeout(30_000);
  const pki = new TestPki();
  let server: TestCertificate;
  let clientCa: TestCertificate;
  let client: TestCertificate;
  let stranger: TestCertificate;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    [server, clientCa] = await Promise.all([
      pki.selfSigned('server', '/CN=localhost', { server: true }),
      pki.selfSigned('client-ca', '/CN=Management clients'),
    ]);
    const strangerCa = await pki.selfSigned('stranger-ca', '/CN=Strangers');
    [client, stranger] = await Promise.all([
      pki.issue(clientCa, 'client', '/CN=operator'),
      pki.issue(strangerCa, 'stranger', '/CN=operator'),
    ]);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  it('serves HTTPS only with a key and certificate', async () => {
    const started = await createHttpApp(TestApp, {
      host: '127.0.0.1',
      port: 0,
      tls: { key: server.keyPem, cert: server.certPem },
    });
    apps.push(started.app);
    expect(started.scheme).toBe('https');
    const base = `127.0.0.1:${String(started.port)}`;
    expect(await call(`https://${base}/v1/things`, { ca: server.certPem })).toEqual({
      status: 200,
      body: '["thing"]',
    });
    expect((await call(`https://${base}/liveness`, { ca: server.certPem })).status).toBe(200);
    // An untrusted certificate fails the client's verification; plain HTTP gets no answer.
    await expect(call(`https://${base}/liveness`)).rejects.toThrow(/self-signed|certificate/);
    await expect(call(`http://${base}/liveness`)).rejects.toThrow();
  });

  it('requires a client certificate of the client CA when one is configured', async () => {
    const started = await createHttpApp(TestApp, {
      host: '127.0.0.1',
      port: 0,
      tls: { key: server.keyPem, cert: server.certPem, clientCa: clientCa.certPem },
    });
    apps.push(started.app);
    const url = `https://127.0.0.1:${String(started.port)}/v1/things`;
    const trusted = { ca: server.certPem };
    expect((await call(url, { ...trusted, key: client.keyPem, cert: client.certPem })).status).toBe(
      200,
    );
    await expect(call(url, trusted)).rejects.toThrow();
    await expect(
      call(url, { ...trusted, key: stranger.keyPem, cert: stranger.certPem }),
    ).rejects.toThrow();
  });

  it('serves only /liveness, /readiness and /metrics on a plain health port', async () => {
    const started = await createHttpApp(TestApp, {
      host: '127.0.0.1',
      port: 0,
      tls: { key: server.keyPem, cert: server.certPem, clientCa: clientCa.certPem },
      healthPort: 0,
    });
    apps.push(started.app);
    expect(started.healthPort).toBeGreaterThan(0);
    const health = `http://127.0.0.1:${String(started.healthPort)}`;
    expect(await call(`${health}/liveness`)).toEqual({ status: 200, body: '{"status":"UP"}' });
    expect((await call(`${health}/readiness?verbose`)).status).toBe(200);
    expect((await call(`${health}/v1/things`)).status).toBe(404);
    expect((await call(`${health}/liveness`, { method: 'POST' })).status).toBe(404);
  });

  it('closes the health port with the app', async () => {
    const started = await createHttpApp(TestApp, { host: '127.0.0.1', port: 0, healthPort: 0 });
    expect(started.scheme).toBe('http');
    const health = `http://127.0.0.1:${String(started.healthPort)}/liveness`;
    expect((await call(health)).status).toBe(200);
    await started.app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(call(health)).rejects.toThrow(/ECONNREFUSED/);
  });
});
