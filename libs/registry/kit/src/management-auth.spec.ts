import type { ExecutionContext } from '@nestjs/common';
import bcrypt from 'bcryptjs';

import { ConfigError, loadConfig } from '@tessera/config';

import { isLoopback, ManagementAuthConfig, resolveManagementAuth } from './management-auth.config';
import { basicCredentials, ManagementAuthGuard } from './management-auth.guard';

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
        mode: 'basic',
        users: [{ name: 'a', hash: HASH }],
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
      mode: 'basic',
      users: [
        { name: 'admin', hash: HASH },
        { name: 'ops', hash: HASH },
      ],
    });
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
      'MANAGEMENT_USERS: entry 1 is not user:bcrypt-hash',
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
  const contextOf = (path: string, authorization?: string, type = 'http'): ExecutionContext =>
    ({
      getType: () => type,
      switchToHttp: () => ({
        getRequest: () => ({
          path,
          headers: authorization === undefined ? {} : { authorization },
        }),
      }),
    }) as unknown as ExecutionContext;
  const users = [{ name: 'admin', hash: HASH }];

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('lets everything through in mode none', async () => {
    const sut = new ManagementAuthGuard({ mode: 'none' });
    await expect(sut.canActivate(contextOf('/v1/tenants'))).resolves.toBe(true);
  });

  it('leaves probes and metrics open, and other transports to themselves', async () => {
    const sut = new ManagementAuthGuard({ mode: 'basic', users });
    for (const path of ['/liveness', '/readiness', '/metrics']) {
      await expect(sut.canActivate(contextOf(path))).resolves.toBe(true);
    }
    await expect(sut.canActivate(contextOf('/x', undefined, 'rpc'))).resolves.toBe(true);
  });

  it('answers 401 without, with malformed and with wrong credentials', async () => {
    const sut = new ManagementAuthGuard({ mode: 'basic', users });
    for (const header of [undefined, 'Bearer x', basic('admin:wrong'), basic('nobody:s3cret')]) {
      await expect(sut.canActivate(contextOf('/v1/tenants', header))).rejects.toMatchObject({
        status: 401,
      });
    }
  });

  it('accepts the right password and remembers it instead of running bcrypt again', async () => {
    const sut = new ManagementAuthGuard({ mode: 'basic', users });
    const compare = jest.spyOn(bcrypt, 'compare');
    const header = basic('admin:s3cret');
    await expect(
      Promise.all([
        sut.canActivate(contextOf('/v1/tenants', header)),
        sut.canActivate(contextOf('/v1/tenants', header)),
      ]),
    ).resolves.toEqual([true, true]);
    await expect(sut.canActivate(contextOf('/v1/tenants', header))).resolves.toBe(true);
    expect(compare).toHaveBeenCalledTimes(1);
    // A wrong password is checked (and refused) every time.
    await expect(sut.canActivate(contextOf('/v1/tenants', basic('admin:x')))).rejects.toThrow();
    await expect(sut.canActivate(contextOf('/v1/tenants', basic('admin:x')))).rejects.toThrow();
    expect(compare).toHaveBeenCalledTimes(3);
  });
});
