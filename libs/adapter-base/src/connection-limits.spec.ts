import { ClientError, type TenantObject } from '@tessera/registry-api';

import { forbidden, unauthorized, unavailable } from './adapter.errors';
import {
  connectionAttemptOutcome,
  ConnectionLimits,
  maxConnectionsOf,
  TokenBuckets,
} from './connection-limits';

function tenant(id: string, maxConnections?: number): TenantObject {
  return {
    'tenant-id': id,
    enabled: true,
    ...(maxConnections !== undefined && {
      'resource-limits': { 'max-connections': maxConnections },
    }),
  } as unknown as TenantObject;
}

/** A clock the test moves by hand (ms). */
function fakeClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe(TokenBuckets.name, () => {
  it('lets a burst through, then one take per refilled token', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: clock.now });
    expect([1, 2, 3, 4].map(() => buckets.tryTake('a'))).toEqual([true, true, true, false]);
    clock.advance(500);
    expect(buckets.tryTake('a')).toBe(true);
    expect(buckets.tryTake('a')).toBe(false);
    clock.advance(250);
    expect(buckets.tryTake('a')).toBe(false);
    clock.advance(250);
    expect(buckets.tryTake('a')).toBe(true);
  });

  it('keeps a bucket per key', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: clock.now });
    expect(buckets.tryTake('a')).toBe(true);
    expect(buckets.tryTake('a')).toBe(false);
    expect(buckets.tryTake('b')).toBe(true);
  });

  it('refills no more than the burst after a long pause', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 2, now: clock.now });
    buckets.tryTake('a');
    clock.advance(60_000);
    expect([1, 2, 3].map(() => buckets.tryTake('a'))).toEqual([true, true, false]);
  });

  it('does not count refused takes against the key', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: clock.now });
    buckets.tryTake('a');
    for (let i = 0; i < 10; i++) buckets.tryTake('a');
    clock.advance(1_000);
    expect(buckets.tryTake('a')).toBe(true);
  });

  it('drops buckets that filled up again, and tracks no more than maxKeys', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 2, maxKeys: 3, now: clock.now });
    for (const key of ['a', 'b', 'c', 'd']) buckets.tryTake(key);
    expect(buckets.size).toBe(3);
    // An untracked key is not limited: it is what a fresh bucket would allow.
    expect(buckets.tryTake('d')).toBe(true);
    clock.advance(2_000);
    buckets.tryTake('e');
    expect(buckets.size).toBe(1);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new TokenBuckets({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ ratePerSecond: 1, burst: 1.5 })).toThrow(RangeError);
  });
});

describe(ConnectionLimits.name, () => {
  it('refuses connections beyond the adapter’s maximum until one is released', () => {
    const limits = new ConnectionLimits({ maxConnections: 2 });
    const first = limits.admit('a');
    limits.admit(undefined);
    expect(() => limits.admit('b')).toThrow(
      expect.objectContaining({ status: 503, code: 'ADAPTER.CONNECTIONS_EXCEEDED' }) as Error,
    );
    first.release();
    first.release();
    expect(limits.connections).toBe(1);
    expect(() => limits.admit('b')).not.toThrow();
  });

  it('counts a tenant’s connections against its max-connections and releases them', () => {
    const limits = new ConnectionLimits({ maxConnections: 100 });
    const acme = tenant('acme', 2);
    const slots = [limits.admit('acme'), limits.admit('acme'), limits.admit('acme')];
    slots[0]?.joinTenant(acme);
    slots[1]?.joinTenant(acme);
    expect(() => slots[2]?.joinTenant(acme)).toThrow(
      expect.objectContaining({ status: 403, code: 'TENANT.CONNECTIONS_EXCEEDED' }) as Error,
    );
    expect(limits.tenantConnections('acme')).toBe(2);
    // The refused connection gives back its adapter slot without touching the tenant's count.
    slots[2]?.release();
    expect(limits.tenantConnections('acme')).toBe(2);
    slots[0]?.release();
    expect(limits.tenantConnections('acme')).toBe(1);
    const next = limits.admit('acme');
    expect(() => {
      next.joinTenant(acme);
    }).not.toThrow();
    expect(limits.tenantConnections('acme')).toBe(2);
    expect(limits.connections).toBe(2);
  });

  it('does not limit a tenant without max-connections or with -1; 0 admits none', () => {
    const limits = new ConnectionLimits({ maxConnections: 100 });
    for (let i = 0; i < 10; i++) limits.admit('a').joinTenant(tenant('a'));
    for (let i = 0; i < 10; i++) limits.admit('b').joinTenant(tenant('b', -1));
    expect(limits.tenantConnections('a')).toBe(10);
    expect(() => {
      limits.admit('c').joinTenant(tenant('c', 0));
    }).toThrow(ClientError);
  });

  it('counts nothing for a slot released before its tenant check finished', () => {
    const limits = new ConnectionLimits({ maxConnections: 10 });
    const slot = limits.admit('acme');
    slot.release();
    slot.joinTenant(tenant('acme', 1));
    expect(limits.tenantConnections('acme')).toBe(0);
    expect(limits.connections).toBe(0);
  });

  it('joins a tenant once per slot', () => {
    const limits = new ConnectionLimits({ maxConnections: 10 });
    const slot = limits.admit('acme');
    slot.joinTenant(tenant('acme', 5));
    slot.joinTenant(tenant('acme', 5));
    expect(limits.tenantConnections('acme')).toBe(1);
    slot.release();
    expect(limits.tenantConnections('acme')).toBe(0);
  });

  it('limits the connection attempts of each claimed tenant, refused or not', () => {
    const clock = fakeClock();
    const limits = new ConnectionLimits({
      maxConnections: 100,
      connectRate: { perSecond: 1, burst: 2 },
      now: clock.now,
    });
    limits.admit('flood').release();
    limits.admit('flood').release();
    expect(() => limits.admit('flood')).toThrow(
      expect.objectContaining({ status: 429, code: 'TENANT.CONNECTION_RATE_EXCEEDED' }) as Error,
    );
    expect(limits.connections).toBe(0);
    // Another tenant, and a client that claims none, are not affected.
    expect(() => limits.admit('calm')).not.toThrow();
    expect(() => limits.admit(undefined)).not.toThrow();
    clock.advance(1_000);
    expect(() => limits.admit('flood')).not.toThrow();
  });

  it('checks the adapter’s maximum before it takes a token', () => {
    const clock = fakeClock();
    const limits = new ConnectionLimits({
      maxConnections: 1,
      connectRate: { perSecond: 1, burst: 1 },
      now: clock.now,
    });
    const held = limits.admit(undefined);
    expect(() => limits.admit('a')).toThrow(expect.objectContaining({ status: 503 }) as Error);
    held.release();
    expect(() => limits.admit('a')).not.toThrow();
  });
});

describe(maxConnectionsOf.name, () => {
  it('reads resource-limits.max-connections, -1 and absent meaning no limit', () => {
    expect(maxConnectionsOf(tenant('a'))).toBeUndefined();
    expect(maxConnectionsOf(tenant('a', -1))).toBeUndefined();
    expect(maxConnectionsOf(tenant('a', 0))).toBe(0);
    expect(maxConnectionsOf(tenant('a', 7))).toBe(7);
  });
});

describe(connectionAttemptOutcome.name, () => {
  it('names Hono’s outcomes', () => {
    const limits = new ConnectionLimits({ maxConnections: 0 });
    let adapterFull: unknown;
    try {
      limits.admit(undefined);
    } catch (error) {
      adapterFull = error;
    }
    expect(connectionAttemptOutcome(adapterFull as ClientError)).toBe(
      'adapter-connections-exceeded',
    );
    expect(connectionAttemptOutcome(unauthorized())).toBe('unauthorized');
    expect(connectionAttemptOutcome(forbidden('ADAPTER.DISABLED', 'off'))).toBe('adapter-disabled');
    expect(connectionAttemptOutcome(new ClientError(404, 'DEVICE.NOT_FOUND', 'no'))).toBe(
      'registration-assertion-failure',
    );
    expect(connectionAttemptOutcome(unavailable('down'))).toBe('unavailable');
    expect(
      connectionAttemptOutcome(new ClientError(429, 'TENANT.DATA_VOLUME_EXCEEDED', 'full')),
    ).toBe('data-volume-exceeded');
  });
});
