import { createServer, type Server } from 'node:http';

import { HttpDeviceDirectory, HttpTenantDirectory, summarizeTenant } from './directories';

describe('HTTP directories', () => {
  let server: Server;
  let url = '';
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/v1/tenants/t1') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ enabled: true, 'registration-limits': { 'max-devices': 5 } }));
      } else if (req.url === '/v1/devices/t1/d1') {
        res.end('{}');
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

  it('summarises limits, treating -1 as unlimited', () => {
    expect(
      summarizeTenant({ 'registration-limits': { 'max-devices': -1 } }).maxDevices,
    ).toBeUndefined();
    expect(summarizeTenant({ enabled: false }).enabled).toBe(false);
  });
});
