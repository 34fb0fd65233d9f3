import type { ExecutionContext } from '@nestjs/common';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

import { Reflector } from '@nestjs/core';
import bcrypt from 'bcryptjs';
import { SignJWT } from 'jose';

import { ConfigError, loadConfig } from '@tessera/config';

import {
  isLoopback,
  type ManagementAuth,
  ManagementAuthConfig,
  resolveManagementAuth,
} from './management-auth.config';
import { basicCredentials, ManagementAuthGuard, Requires } from './management-auth.guard';

const HASH = bcrypt.hashSync('s3cret', 4);
const config = (env: Record<string, string>) =>
  loadConfig({ auth: ManagementAuthConfig }, env).auth;
const embeddedLocal = { embeddedDevMode: true, host: '127.0.0.1' };
const distributed = { embeddedDevMode: false, host: '0.0.0.0' };

describe(resolveManagementAuth.name, () => {
  it('defaults to none only for the embedded app on loopback', () => {
    expect(resolveManagementAuth(config({}), embeddedLocal)).toEqual({ mode: 'none' });
    expect(resolveManagementAuth(config({ MANAGEMENT_USERS: `a:${HASH}` }), embeddedLocal)).toEqual(
      {
        mode: 'required',
        users: [{ name: 'a', hash: HASH, grants: [{ role: 'platform-admin' }] }],
      },
    );
    expect(() => resolveManagementAuth(config({}), distributed)).toThrow(ConfigError);
    expect(() =>
      resolveManagementAuth(config({}), { embeddedDevMode: true, host: '0.0.0.0' }),
    ).toThrow(/MANAGEMENT_USERS/);
  });

  it('refuses none unless embedded on loopback', () => {
    const none = config({ MANAGEMENT_AUTH: 'none' });
    expect(() => resolveManagementAuth(none, distributed)).toThrow(/only allowed/);
    expect(() =>
      resolveManagementAuth(none, { embeddedDevMode: false, host: '127.0.0.1' }),
    ).toThrow(ConfigError);
    expect(() =>
      resolveManagementAuth(none, { embeddedDevMode: true, host: '192.168.1.5' }),
    ).toThrow(ConfigError);
    expect(resolveManagementAuth(none, { embeddedDevMode: true, host: '::1' })).toEqual({
      mode: 'none',
    });
  });

  it('parses comma- and newline-separated users', () => {
    const auth = resolveManagementAuth(
      config({ MANAGEMENT_USERS: `admin:${HASH},\n ops:${HASH}\n` }),
      distributed,
    );
    expect(auth).toEqual({
      mode: 'required',
      users: [
        { name: 'admin', hash: HASH, grants: [{ role: 'platform-admin' }] },
        { name: 'ops', hash: HASH, grants: [{ role: 'platform-admin' }] },
      ],
    });
  });

  it('parses grants per user', () => {
    const auth = resolveManagementAuth(
      config({
        MANAGEMENT_USERS: `ops:${HASH}:tenant-admin@acme+read-only@*,svc:${HASH}:registry-service`,
      }),
      distributed,
    );
    expect(auth.mode === 'required' && auth.users.map((u) => u.grants)).toEqual([
      [
        { role: 'tenant-admin', tenant: 'acme' },
        { role: 'read-only', tenant: '*' },
      ],
      [{ role: 'registry-service' }],
    ]);
  });

  it('refuses unknown roles, tenant roles without a tenant and platform roles with one', () => {
    expect(() =>
      resolveManagementAuth(
        config({
          MANAGEMENT_USERS: `a:${HASH}:boss,b:${HASH}:device-manager,c:${HASH}:platform-admin@acme`,
        }),
        distributed,
      ),
    ).toThrow(
      /user a: unknown role "boss"[^]*user b: device-manager needs a tenant[^]*user c: platform-admin is platform-wide/,
    );
  });

  it('takes a JWT key instead of users, with issuer and audience required', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwtOnly = resolveManagementAuth(
      config({
        MANAGEMENT_JWT_PUBLIC_KEY: pem,
        MANAGEMENT_JWT_ISSUER: 'https://idp',
        MANAGEMENT_JWT_AUDIENCE: 'tessera',
      }),
      distributed,
    );
    expect(jwtOnly).toMatchObject({ mode: 'required', users: [], jwt: { rolesClaim: 'roles' } });
    expect(() =>
      resolveManagementAuth(config({ MANAGEMENT_JWT_PUBLIC_KEY: pem }), distributed),
    ).toThrow(/MANAGEMENT_JWT_ISSUER is required/);
    expect(() =>
      resolveManagementAuth(
        config({
          MANAGEMENT_JWT_PUBLIC_KEY: 'not a key',
          MANAGEMENT_JWT_ISSUER: 'i',
          MANAGEMENT_JWT_AUDIENCE: 'a',
        }),
        distributed,
      ),
    ).toThrow(/not a PEM public key/);
    // A JWT key on loopback means authentication is wanted there too.
    expect(
      resolveManagementAuth(
        config({
          MANAGEMENT_JWT_JWKS_URL: 'http://127.0.0.1:1/jwks',
          MANAGEMENT_JWT_ISSUER: 'i',
          MANAGEMENT_JWT_AUDIENCE: 'a',
        }),
        embeddedLocal,
      ).mode,
    ).toBe('required');
  });

  it('lists bad entries without echoing them', () => {
    let error: unknown;
    try {
      resolveManagementAuth(
        config({ MANAGEMENT_USERS: `admin:plaintext,admin:${HASH},admin:${HASH}` }),
        distributed,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'MANAGEMENT_USERS: entry 1 is not user:bcrypt-hash[:grants]',
      'MANAGEMENT_USERS: user admin is listed twice',
    ]);
    expect((error as Error).message).not.toContain('plaintext');
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', ''].some(isLoopback)).toBe(false);
  });
});

describe(basicCredentials.name, () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('splits at the first colon', () => {
    expect(basicCredentials(basic('user:pa:ss'))).toEqual({ user: 'user', password: 'pa:ss' });
  });
  it('rejects other schemes and malformed values', () => {
    expect(basicCredentials('Bearer abc')).toBeUndefined();
    expect(basicCredentials(basic('nocolon'))).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
  });
});

describe(ManagementAuthGuard.name, () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  class Routes {
    @Requires('READ_TARGET')
    readDevice(): void {}
    @Requires('CREATE_TENANT', 'platform')
    createTenant(): void {}
    @Requires('READ_TENANT', 'visible')
    searchTenants(): void {}
    unruled(): void {}
  }
  const contextOf = (
    path: string,
    authorization?: string,
    options: { type?: string; handler?: keyof Routes; tenantId?: string } = {},
  ): ExecutionContext =>
    ({
      getType: () => options.type ?? 'http',
      getHandler: () => Routes.prototype[options.handler ?? 'readDevice'],
      getClass: () => Routes,
      switchToHttp: () => ({
        getRequest: () => ({
          path,
          method: 'GET',
          params: options.tenantId === undefined ? {} : { tenantId: options.tenantId },
          headers: authorization === undefined ? {} : { authorization },
        }),
      }),
    }) as unknown as ExecutionContext;
  const admin = { name: 'admin', hash: HASH, grants: [{ role: 'platform-admin' as const }] };
  const viewer = {
    name: 'viewer',
    hash: HASH,
    grants: [{ role: 'read-only' as const, tenant: 'a' }],
  };
  const users = [admin, viewer];
  const guard = (auth: ManagementAuth) => new ManagementAuthGuard(auth, new Reflector());

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('lets everything through in mode none', async () => {
    const sut = guard({ mode: 'none' });
    await expect(
      sut.canActivate(contextOf('/v1/tenants', undefined, { handler: 'unruled' })),
    ).resolves.toBe(true);
  });

  it('leaves probes and metrics open, and other transports to themselves', async () => {
    const sut = guard({ mode: 'required', users });
    for (const path of ['/liveness', '/readiness', '/metrics']) {
      await expect(sut.canActivate(contextOf(path))).resolves.toBe(true);
    }
    await expect(sut.canActivate(contextOf('/x', undefined, { type: 'rpc' }))).resolves.toBe(true);
  });

  it('answers 401 without, with malformed and with wrong credentials', async () => {
    const sut = guard({ mode: 'required', users });
    for (const header of [undefined, 'Bearer x', basic('admin:wrong'), basic('nobody:s3cret')]) {
      await expect(
        sut.canActivate(contextOf('/v1/devices/a', header, { tenantId: 'a' })),
      ).rejects.toMatchObject({ status: 401 });
    }
  });

  it('accepts the right password and remembers it instead of running bcrypt again', async () => {
    const sut = guard({ mode: 'required', users });
    const compare = jest.spyOn(bcrypt, 'compare');
    const header = basic('admin:s3cret');
    const ctx = () => contextOf('/v1/devices/a', header, { tenantId: 'a' });
    await expect(Promise.all([sut.canActivate(ctx()), sut.canActivate(ctx())])).resolves.toEqual([
      true,
      true,
    ]);
    await expect(sut.canActivate(ctx())).resolves.toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);
    // A wrong password is checked (and refused) every time.
    await expect(sut.canActivate(contextOf('/v1/tenants', basic('admin:x')))).rejects.toThrow();
    await expect(sut.canActivate(contextOf('/v1/tenants', basic('admin:x')))).rejects.toThrow();
    expect(compare).toHaveBeenCalledTimes(3);
  });

  it('checks the route rule: 404 for a foreign tenant, 403 without the permission', async () => {
    const sut = guard({ mode: 'required', users });
    const header = basic('viewer:s3cret');
    await expect(
      sut.canActivate(contextOf('/v1/devices/a', header, { tenantId: 'a' })),
    ).resolves.toBe(true);
    await expect(
      sut.canActivate(contextOf('/v1/devices/b', header, { tenantId: 'b' })),
    ).rejects.toMatchObject({ status: 404, message: 'tenant b not found' });
    await expect(
      sut.canActivate(contextOf('/v1/tenants', header, { handler: 'createTenant' })),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      sut.canActivate(contextOf('/v1/tenants', header, { handler: 'searchTenants' })),
    ).resolves.toBe(true);
    // A route without a rule is for platform admins only.
    await expect(
      sut.canActivate(contextOf('/x/a', header, { handler: 'unruled', tenantId: 'a' })),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      sut.canActivate(contextOf('/x/a', basic('admin:s3cret'), { handler: 'unruled' })),
    ).resolves.toBe(true);
  });

  describe('bearer tokens', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwt = {
      publicKey: pem,
      issuer: 'https://idp',
      audience: 'tessera',
      rolesClaim: 'realm_access.roles',
    };
    const sign = (
      claims: Record<string, unknown>,
      options: { key?: KeyObject; alg?: string; iss?: string; aud?: string; exp?: string } = {},
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: options.alg ?? 'ES256' })
        .setSubject('alice')
        .setIssuer(options.iss ?? 'https://idp')
        .setAudience(options.aud ?? 'tessera')
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '5m')
        .sign(options.key ?? privateKey);
    const roles = (r: unknown) => ({ realm_access: { roles: r } });

    it('takes grants from the roles claim', async () => {
      const sut = guard({ mode: 'required', users: [], jwt });
      const token = await sign(roles(['device-manager@a', 'offline_access']));
      await expect(
        sut.canActivate(contextOf('/v1/devices/a', `Bearer ${token}`, { tenantId: 'a' })),
      ).resolves.toBe(true);
      await expect(
        sut.canActivate(contextOf('/v1/devices/b', `Bearer ${token}`, { tenantId: 'b' })),
      ).rejects.toMatchObject({ status: 404 });
      const spaced = await sign(roles('read-only@b platform-admin@x'));
      await expect(
        sut.canActivate(contextOf('/v1/devices/b', `Bearer ${spaced}`, { tenantId: 'b' })),
      ).resolves.toBe(true);
    });

    it('refuses tokens of another issuer, audience or key, expired, or HMAC-signed', async () => {
      const sut = guard({ mode: 'required', users: [], jwt });
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const claims = roles(['platform-admin']);
      const bad = [
        await sign(claims, { iss: 'https://evil' }),
        await sign(claims, { aud: 'other-app' }),
        await sign(claims, { key: other }),
        await sign(claims, { exp: '-5m' }),
        // The public key's bytes used as an HMAC secret (algorithm confusion).
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('https://idp')
          .setAudience('tessera')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(pem)),
      ];
      for (const token of bad) {
        await expect(
          sut.canActivate(contextOf('/v1/devices/a', `Bearer ${token}`, { tenantId: 'a' })),
        ).rejects.toMatchObject({ status: 401 });
      }
      await expect(
        sut.canActivate(
          contextOf('/v1/devices/a', `Bearer ${await sign(claims)}`, { tenantId: 'a' }),
        ),
      ).resolves.toBe(true);
    });

    it('answers 503, not 401, while the JWKS cannot be fetched', async () => {
      // A port nothing listens on: the identity provider is down, the token may be fine.
      const sut = guard({
        mode: 'required',
        users: [],
        jwt: { ...jwt, publicKey: undefined, jwksUrl: 'http://127.0.0.1:9/jwks' },
      });
      const token = await sign(roles(['platform-admin']));
      await expect(
        sut.canActivate(contextOf('/v1/devices/a', `Bearer ${token}`, { tenantId: 'a' })),
      ).rejects.toMatchObject({ status: 503 });
    });

    it('answers 401 to bearer tokens when no JWT key is configured', async () => {
      const sut = guard({ mode: 'required', users });
      const token = await sign(roles(['platform-admin']));
      await expect(
        sut.canActivate(contextOf('/v1/devices/a', `Bearer ${token}`, { tenantId: 'a' })),
      ).rejects.toMatchObject({ status: 401 });
    });
  });
});
