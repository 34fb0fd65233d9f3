import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import bcrypt from 'bcryptjs';
import { exportJWK, SignJWT } from 'jose';

import { curl, type RegistryProcess, startRegistryProcess, uniqueId } from '@tessera/testing';

/*
 * The management API's roles, through curl, with HTTP Basic users and with bearer JWTs verified
 * against a JWKS served here: every role × operation × own/other tenant cell, written out below as
 * the status a caller must get. 404 for another tenant (whether it exists or not, byte for byte),
 * 403 for what the role lacks in its own, 401 without valid credentials; a refused call changes
 * nothing.
 */

const PASSWORD = 'matrix-secret';
const ISSUER = 'https://idp.example.test';
const AUDIENCE = 'tessera-management';

type Op =
  | 'tenant.create'
  | 'tenant.read'
  | 'tenant.update'
  | 'tenant.delete'
  | 'device.create'
  | 'device.read'
  | 'device.update'
  | 'device.delete'
  | 'device.search'
  | 'credentials.read'
  | 'credentials.update';

const OPS: readonly Op[] = [
  'tenant.create',
  'tenant.read',
  'tenant.update',
  'tenant.delete',
  'device.create',
  'device.read',
  'device.update',
  'device.delete',
  'device.search',
  'credentials.read',
  'credentials.update',
];

type Role = 'platform-admin' | 'tenant-admin' | 'device-manager' | 'read-only' | 'no-grant';

/** The expected status per operation: [own tenant, other tenant]. */
const EXPECTED: Record<Role, Record<Op, readonly [number, number]>> = {
  'platform-admin': {
    'tenant.create': [201, 201],
    'tenant.read': [200, 200],
    'tenant.update': [204, 204],
    'tenant.delete': [204, 204],
    'device.create': [201, 201],
    'device.read': [200, 200],
    'device.update': [204, 204],
    'device.delete': [204, 204],
    'device.search': [200, 200],
    'credentials.read': [200, 200],
    'credentials.update': [204, 204],
  },
  'tenant-admin': {
    'tenant.create': [403, 403],
    'tenant.read': [200, 404],
    'tenant.update': [204, 404],
    'tenant.delete': [403, 404],
    'device.create': [201, 404],
    'device.read': [200, 404],
    'device.update': [204, 404],
    'device.delete': [204, 404],
    'device.search': [200, 404],
    'credentials.read': [200, 404],
    'credentials.update': [204, 404],
  },
  'device-manager': {
    'tenant.create': [403, 403],
    'tenant.read': [403, 404],
    'tenant.update': [403, 404],
    'tenant.delete': [403, 404],
    'device.create': [201, 404],
    'device.read': [200, 404],
    'device.update': [204, 404],
    'device.delete': [204, 404],
    'device.search': [200, 404],
    'credentials.read': [200, 404],
    'credentials.update': [204, 404],
  },
  'read-only': {
    'tenant.create': [403, 403],
    'tenant.read': [200, 404],
    'tenant.update': [403, 404],
    'tenant.delete': [403, 404],
    'device.create': [403, 404],
    'device.read': [200, 404],
    'device.update': [403, 404],
    'device.delete': [403, 404],
    'device.search': [200, 404],
    'credentials.read': [403, 404],
    'credentials.update': [403, 404],
  },
  // Authenticated, but holding no role of this API (a token with other applications' roles).
  'no-grant': {
    'tenant.create': [403, 403],
    'tenant.read': [404, 404],
    'tenant.update': [404, 404],
    'tenant.delete': [404, 404],
    'device.create': [404, 404],
    'device.read': [404, 404],
    'device.update': [404, 404],
    'device.delete': [404, 404],
    'device.search': [404, 404],
    'credentials.read': [404, 404],
    'credentials.update': [404, 404],
  },
};

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly etag: string | undefined;
}

/** One request with curl (the shared client): status, body and ETag. */
async function call(
  url: string,
  method: string,
  auth: readonly string[],
  body?: unknown,
): Promise<Reply> {
  const json =
    body === undefined ? [] : ['-H', 'content-type: application/json', '-d', JSON.stringify(body)];
  const reply = await curl(['-X', method, ...auth, ...json, url]);
  const etag = /^etag:\s*(.+)$/im.exec(reply.headers)?.[1]?.trim();
  return { status: reply.status, body: reply.body, etag };
}

describe('management API roles (curl; HTTP Basic and bearer JWT)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: Server;
  let registry: RegistryProcess;
  const own = uniqueId('own');
  const other = uniqueId('other');
  const hash = bcrypt.hashSync(PASSWORD, 4);
  const grants: Record<Exclude<Role, 'no-grant'>, string> = {
    'platform-admin': 'platform-admin',
    'tenant-admin': `tenant-admin@${own}`,
    'device-manager': `device-manager@${own}`,
    'read-only': `read-only@${own}`,
  };
  const adminAuth = ['-u', `platform-admin:${PASSWORD}`];
  let counter = 0;
  const fresh = (prefix: string): string => `${prefix}-${String((counter += 1))}`;
  const url = (path: string): string => `${registry.managementUrl}${path}`;
  const admin = (path: string, method = 'GET', body?: unknown) =>
    call(url(path), method, adminAuth, body);

  const token = (roles: readonly string[], options: { aud?: string } = {}) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('someone')
      .setIssuer(ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const users = Object.entries(grants).map(([name, grant]) => `${name}:${hash}:${grant}`);
    registry = await startRegistryProcess({
      env: {
        MANAGEMENT_USERS: users.join(','),
        MANAGEMENT_JWT_JWKS_URL: `http://127.0.0.1:${String((jwks.address() as AddressInfo).port)}/jwks`,
        MANAGEMENT_JWT_ISSUER: ISSUER,
        MANAGEMENT_JWT_AUDIENCE: AUDIENCE,
      },
    });
    for (const tenant of [own, other]) {
      expect((await admin(`/v1/tenants/${tenant}`, 'POST')).status).toBe(201);
      expect((await admin(`/v1/devices/${tenant}/d1`, 'POST')).status).toBe(201);
      const credentials = [
        { type: 'hashed-password', 'auth-id': 'd1', secrets: [{ 'pwd-plain': 'x-Secret-1' }] },
      ];
      expect((await admin(`/v1/credentials/${tenant}/d1`, 'PUT', credentials)).status).toBe(204);
    }
  }, 120_000);

  afterAll(async () => {
    await registry.process.stop();
    await new Promise((resolve) => jwks.close(resolve));
  });

  /**
   * Runs one operation against `tenant` and checks that a refused call changed nothing: the
   * resource it aimed at reads the same (same ETag) through the admin afterwards.
   */
  async function run(op: Op, tenant: string, auth: readonly string[]): Promise<number> {
    const ids = { device: fresh('dev'), tenant: fresh(`${tenant}-new`) };
    const [kind, action] = op.split('.') as [string, string];
    let target = '';
    let method = 'GET';
    let body: unknown;
    switch (op) {
      case 'tenant.create':
        target = `/v1/tenants/${ids.tenant}`;
        method = 'POST';
        break;
      case 'tenant.read':
      case 'tenant.update':
        target = `/v1/tenants/${tenant}`;
        method = action === 'read' ? 'GET' : 'PUT';
        body = action === 'update' ? { ext: { touched: ids.device } } : undefined;
        break;
      case 'tenant.delete': {
        // Deleting the fixture itself only where the matrix says it is refused.
        target = `/v1/tenants/${tenant}`;
        method = 'DELETE';
        break;
      }
      case 'device.create':
        target = `/v1/devices/${tenant}/${ids.device}`;
        method = 'POST';
        break;
      case 'device.delete':
        expect((await admin(`/v1/devices/${tenant}/${ids.device}`, 'POST')).status).toBe(201);
        target = `/v1/devices/${tenant}/${ids.device}`;
        method = 'DELETE';
        break;
      case 'device.read':
      case 'device.update':
        target = `/v1/devices/${tenant}/d1`;
        method = action === 'read' ? 'GET' : 'PUT';
        body = action === 'update' ? { ext: { touched: ids.device } } : undefined;
        break;
      case 'device.search':
        target = `/v1/devices/${tenant}`;
        break;
      case 'credentials.read':
      case 'credentials.update':
        target = `/v1/credentials/${tenant}/d1`;
        method = action === 'read' ? 'GET' : 'PUT';
        body =
          action === 'update'
            ? [
                {
                  type: 'hashed-password',
                  'auth-id': 'd1',
                  secrets: [{ 'pwd-plain': 'y-Secret-2' }],
                },
              ]
            : undefined;
        break;
    }
    const before = method === 'GET' ? undefined : await admin(target);
    const reply = await call(url(target), method, auth, body);
    if (method !== 'GET' && reply.status >= 400) {
      const after = await admin(target);
      expect({ op, status: after.status, etag: after.etag }).toEqual({
        op,
        status: before?.status,
        etag: before?.etag,
      });
    }
    if (kind === 'tenant' && reply.status >= 400) {
      // The fixtures survive every refused call.
      expect((await admin(`/v1/tenants/${tenant}`)).status).toBe(200);
    }
    return reply.status;
  }

  const methods: Record<string, (role: Role) => Promise<readonly string[]>> = {
    basic: (role) => Promise.resolve(role === 'no-grant' ? [] : ['-u', `${role}:${PASSWORD}`]),
    jwt: async (role) => [
      '-H',
      `authorization: Bearer ${await token(role === 'no-grant' ? ['offline_access'] : [grants[role]])}`,
    ],
  };

  describe.each(Object.keys(methods))('with %s', (method) => {
    const roles = (Object.keys(EXPECTED) as Role[]).filter(
      (r) => method === 'jwt' || r !== 'no-grant',
    );

    it.each(roles)('%s gets the status of its matrix row in every cell', async (role) => {
      const auth = await methods[method]!(role);
      const actual: Record<string, [number, number]> = {};
      // Deletes of whole tenants last, and only of throwaway tenants where they succeed.
      for (const op of OPS) {
        const [ownExpected, otherExpected] = EXPECTED[role][op];
        const destroys = op === 'tenant.delete';
        const targets = destroys
          ? await Promise.all(
              [ownExpected, otherExpected].map(async (expected, i) => {
                if (expected !== 204) return i === 0 ? own : other;
                const throwaway = fresh(i === 0 ? own : other);
                expect((await admin(`/v1/tenants/${throwaway}`, 'POST')).status).toBe(201);
                return throwaway;
              }),
            )
          : [own, other];
        actual[op] = [await run(op, targets[0]!, auth), await run(op, targets[1]!, auth)];
      }
      console.log(
        `${method} ${role}: ${OPS.map((op) => `${op} ${actual[op]!.join('/')}`).join(', ')}`,
      );
      expect(actual).toEqual(EXPECTED[role]);
    });
  });

  it('answers 401 without credentials, with a wrong password or a foreign token', async () => {
    const wrongAudience = await token(['platform-admin'], { aud: 'another-app' });
    for (const auth of [
      [],
      ['-u', `platform-admin:wrong`],
      ['-u', `nobody:${PASSWORD}`],
      ['-H', `authorization: Bearer ${wrongAudience}`],
      ['-H', 'authorization: Bearer not.a.token'],
    ]) {
      for (const path of [`/v1/tenants/${own}`, `/v1/devices/${own}/d1`, '/v1/tenants']) {
        expect({ auth, path, status: (await call(url(path), 'GET', auth)).status }).toEqual({
          auth,
          path,
          status: 401,
        });
      }
    }
  });

  it("cannot tell another tenant's resources from missing ones", async () => {
    const missing = uniqueId('missing');
    for (const role of ['device-manager', 'read-only', 'tenant-admin'] as const) {
      const auth = ['-u', `${role}:${PASSWORD}`];
      for (const [method, path] of [
        ['GET', '/v1/tenants/T'],
        ['GET', '/v1/devices/T/d1'],
        ['GET', '/v1/devices/T'],
        ['GET', '/v1/credentials/T/d1'],
        ['PUT', '/v1/devices/T/d1'],
        ['DELETE', '/v1/devices/T/d1'],
      ] as const) {
        const body = method === 'PUT' ? {} : undefined;
        const existing = await call(url(path.replace('T', other)), method, auth, body);
        const absent = await call(url(path.replace('T', missing)), method, auth, body);
        expect(existing.status).toBe(404);
        expect({ status: absent.status, body: absent.body.replaceAll(missing, 'T') }).toEqual({
          status: existing.status,
          body: existing.body.replaceAll(other, 'T'),
        });
      }
    }
    expect((await admin(`/v1/devices/${other}/d1`)).status).toBe(200);
  });

  it("leaves a tenant's quotas and trust anchor group to the platform admin", async () => {
    const limited = { 'registration-limits': { 'max-devices': 5 }, ext: { v: 1 } };
    expect((await admin(`/v1/tenants/${own}`, 'PUT', limited)).status).toBe(204);
    const before = await admin(`/v1/tenants/${own}`);
    const tenantAdmin = ['-u', `tenant-admin:${PASSWORD}`];
    for (const change of [
      { 'registration-limits': { 'max-devices': 500 }, ext: { v: 2 } },
      { ext: { v: 2 } },
      { 'registration-limits': { 'max-devices': 5 }, 'resource-limits': { 'max-connections': 9 } },
      { 'registration-limits': { 'max-devices': 5 }, 'trust-anchor-group': 'shared' },
    ]) {
      const reply = await call(url(`/v1/tenants/${own}`), 'PUT', tenantAdmin, change);
      expect({ change, status: reply.status }).toEqual({ change, status: 403 });
      expect((await admin(`/v1/tenants/${own}`)).etag).toBe(before.etag);
    }
    // Everything else stays the tenant admin's.
    const kept = { 'registration-limits': { 'max-devices': 5 }, ext: { v: 3 } };
    expect((await call(url(`/v1/tenants/${own}`), 'PUT', tenantAdmin, kept)).status).toBe(204);
    expect(JSON.parse((await admin(`/v1/tenants/${own}`)).body)).toMatchObject(kept);
  });

  it('lists only the tenants a caller may read', async () => {
    const search = async (auth: readonly string[]) => {
      const reply = await call(url('/v1/tenants?pageSize=200'), 'GET', auth);
      return {
        status: reply.status,
        ids:
          reply.status === 200
            ? (JSON.parse(reply.body) as { result: { id: string }[] }).result.map((t) => t.id)
            : [],
      };
    };
    const everything = await search(adminAuth);
    expect(everything.ids).toEqual(expect.arrayContaining([own, other]));
    for (const role of ['tenant-admin', 'read-only'] as const) {
      expect(await search(['-u', `${role}:${PASSWORD}`])).toEqual({ status: 200, ids: [own] });
    }
    // A token naming several tenants sees exactly those.
    const both = await token([`read-only@${own}`, `tenant-admin@${other}`]);
    const seen = await search(['-H', `authorization: Bearer ${both}`]);
    expect(seen.ids.sort()).toEqual([own, other].sort());
    expect((await search(['-u', `device-manager:${PASSWORD}`])).status).toBe(403);
  });
});
