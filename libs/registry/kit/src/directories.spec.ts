import { createServer, type Server } from 'node:http';

import {
  DEVICE_CREATED_HEADER,
  HttpDeviceDirectory,
  HttpTenantDirectory,
  summarizeTenant,
  TENANT_CREATED_HEADER,
} from './directories';

describe('HTTP directories', () => {
  let server: Server;
  let url = '';
  const seen: (string | undefined)[] = [];
  const CREATED = '2026-03-01T10:20:30.456Z';

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/v1/tenants/t1' || req.url === '/v1/tenants/t3') {
        if (req.url === '/v1/tenants/t3') res.setHeader(TENANT_CREATED_HEADER, CREATED);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ enabled: true, 'registration-limits': { 'max-devices': 5 } }));
      } else if (req.url === '/v1/devices/t1/d1') {
        res.end('{"status":{"created":"2026-03-01T10:20:30Z"}}');
      } else if (req.url === '/v1/devices/t1/d3') {
        res.setHeader(DEVICE_CREATED_HEADER, CREATED);
        res.end('{"status":{"created":"2026-03-01T10:20:30Z"}}');
      } else if (req.url?.startsWith('/v1/tenants/boom')) {
        res.statusCode = 500;
        res.end();
      } else {
        res.statusCode = 404;
        res.end('{"error":"not found"}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('reads tenants, with service credentials, and maps 404 to undefined', async () => {
    const sut = new HttpTenantDirectory({ url, username: 'svc', password: 'pw' });
    expect((await sut.get('t1'))?.maxDevices).toBe(5);
    expect(await sut.get('t2')).toBeUndefined();
    expect(seen[0]).toBe(`Basic ${Buffer.from('svc:pw').toString('base64')}`);
  });

  it('reports when the tenant was created, if told, and asks again for a fresh look-up', async () => {
    const sut = new HttpTenantDirectory({ url });
    expect((await sut.get('t3'))?.created).toEqual(new Date(CREATED));
    expect((await sut.get('t1'))?.created).toBeUndefined();
    const asked = seen.length;
    await sut.get('t3');
    expect(seen.length).toBe(asked);
    expect((await sut.get('t3', { fresh: true }))?.created).toEqual(new Date(CREATED));
    expect(seen.length).toBe(asked + 1);
  });

  it('turns server errors and unreachable services into 503', async () => {
    await expect(new HttpTenantDirectory({ url }).get('boom')).rejects.toMatchObject({
      status: 503,
    });
    await expect(
      new HttpTenantDirectory({ url: 'http://127.0.0.1:1' }).get('t1'),
    ).rejects.toMatchObject({
      status: 503,
    });
  });

  it('tells whether a device exists', async () => {
    const sut = new HttpDeviceDirectory({ url });
    expect(await sut.exists('t1', 'd1')).toBe(true);
    expect(await sut.exists('t1', 'd2')).toBe(false);
  });

  it('reports when the device was created, in milliseconds where the device service says', async () => {
    const sut = new HttpDeviceDirectory({ url });
    expect((await sut.find('t1', 'd3'))?.created).toEqual(new Date(CREATED));
    expect((await sut.find('t1', 'd1'))?.created).toEqual(new Date('2026-03-01T10:20:30Z'));
  });

  it('summarises limits, treating -1 as unlimited', () => {
    expect(
      summarizeTenant({ 'registration-limits': { 'max-devices': -1 } }).maxDevices,
    ).toBeUndefined();
    expect(summarizeTenant({ enabled: false }).enabled).toBe(false);
  });
});
