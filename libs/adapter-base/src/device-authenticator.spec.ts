import { createHash } from 'node:crypto';

import { type CredentialsObject, NotFoundError, ServerError } from '@tessera/registry-api';
import { CredentialsClient, type CredentialsResult, TenantClient } from '@tessera/registry-client';

import { DeviceAuthenticator, parseUsername } from './device-authenticator';
import { VerifiedCredentialsCache } from './verified-credentials.cache';

describe(parseUsername.name, () => {
  it('splits on the first @, as Hono does', () => {
    expect(parseUsername('sensor@tenant')).toEqual({ authId: 'sensor', tenantId: 'tenant' });
    expect(parseUsername('a@b@c')).toEqual({ authId: 'a', tenantId: 'b@c' });
    expect(parseUsername('no-tenant')).toBeUndefined();
    expect(parseUsername('@t')).toBeUndefined();
    expect(parseUsername('a@')).toBeUndefined();
  });
});

class Credentials extends CredentialsClient {
  lookups = 0;
  failure: Error | undefined;
  constructor(public stored: Record<string, CredentialsObject>) {
    super();
  }
  get(tenantId: string, type: string, authId: string): Promise<CredentialsResult> {
    this.lookups++;
    if (this.failure) return Promise.reject(this.failure);
    const credentials = this.stored[`${tenantId}/${type}/${authId}`];
    return credentials
      ? Promise.resolve({ credentials, created: false })
      : Promise.reject(new NotFoundError('CREDENTIALS', 'none'));
  }
}

class NoTenants extends TenantClient {
  get(): never {
    throw new Error('not used');
  }
  getBySubjectDn(): never {
    throw new Error('not used');
  }
}

/** Test fixtures with plain strings where the contract has branded ids. */
function fixtures(records: Record<string, unknown>): Record<string, CredentialsObject> {
  return records as Record<string, CredentialsObject>;
}

function sha256(password: string): string {
  return createHash('sha256').update(password).digest('base64');
}

describe(DeviceAuthenticator.name, () => {
  let credentials: Credentials;
  let cache: VerifiedCredentialsCache;
  let authenticator: DeviceAuthenticator;
  const secret = { 'hash-function': 'sha-256', 'pwd-hash': sha256('pw') };

  beforeEach(() => {
    credentials = new Credentials(
      fixtures({
        'A/hashed-password/sensor': {
          'device-id': 'd1',
          type: 'hashed-password',
          'auth-id': 'sensor',
          secrets: [secret],
        },
        'A/hashed-password/off': {
          'device-id': 'd2',
          type: 'hashed-password',
          'auth-id': 'off',
          enabled: false,
          secrets: [secret],
        },
        'A/hashed-password/expired': {
          'device-id': 'd3',
          type: 'hashed-password',
          'auth-id': 'expired',
          secrets: [{ ...secret, 'not-after': '2020-01-01T00:00:00Z' }],
        },
      }),
    );
    cache = new VerifiedCredentialsCache({ ttlMs: 60_000 });
    authenticator = new DeviceAuthenticator(new NoTenants(), credentials, cache);
  });

  it('authenticates auth-id@tenant and remembers the verified password', async () => {
    const result = await authenticator.authenticatePassword('sensor@A', 'pw');
    expect(result.device).toEqual({
      tenantId: 'A',
      deviceId: 'd1',
      authId: 'sensor',
      method: 'password',
    });
    expect(cache.size).toBe(1);
    await authenticator.authenticatePassword('sensor@A', 'pw');
    expect(cache.size).toBe(1);
  });

  it.each([
    ['a wrong password', 'sensor@A', 'nope'],
    ['an unknown auth-id', 'ghost@A', 'pw'],
    ['an unknown tenant', 'sensor@B', 'pw'],
    ['disabled credentials', 'off@A', 'pw'],
    ['an expired secret', 'expired@A', 'pw'],
    ['a username without tenant', 'sensor', 'pw'],
  ])('answers the same 401 for %s', async (_case, username, password) => {
    await expect(authenticator.authenticatePassword(username, password)).rejects.toMatchObject({
      status: 401,
      message: 'bad credentials',
    });
  });

  it('does not let a cached verification outlive a changed secret', async () => {
    await authenticator.authenticatePassword('sensor@A', 'pw');
    const stored = credentials.stored['A/hashed-password/sensor'];
    if (!stored) throw new Error('fixture');
    credentials.stored['A/hashed-password/sensor'] = {
      ...stored,
      secrets: [{ 'hash-function': 'sha-256', 'pwd-hash': sha256('new') }],
    };
    await expect(authenticator.authenticatePassword('sensor@A', 'pw')).rejects.toMatchObject({
      status: 401,
    });
    expect((await authenticator.authenticatePassword('sensor@A', 'new')).device.deviceId).toBe(
      'd1',
    );
  });

  it('passes a registry outage on as 503, not as a failed authentication', async () => {
    credentials.failure = new ServerError(503, 'REGISTRY.UNAVAILABLE', 'down', { retryable: true });
    await expect(authenticator.authenticatePassword('sensor@A', 'pw')).rejects.toMatchObject({
      status: 503,
    });
  });
});
