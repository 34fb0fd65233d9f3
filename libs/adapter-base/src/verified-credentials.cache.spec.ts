import { VerifiedCredentialsCache } from './verified-credentials.cache';

describe(VerifiedCredentialsCache.name, () => {
  let now = 1_000_000;
  const cache = (ttlMs = 60_000, maxEntries?: number) =>
    new VerifiedCredentialsCache({ ttlMs, now: () => now, ...(maxEntries && { maxEntries }) });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('keys by a keyed hash that holds neither the password nor a reusable hash of it', () => {
    const a = cache();
    const b = cache();
    const key = a.keyOf('t', 'auth', 'secret');
    expect(key).not.toContain('secret');
    expect(key).toBe(a.keyOf('t', 'auth', 'secret'));
    // another process (another random key) derives another value
    expect(key).not.toBe(b.keyOf('t', 'auth', 'secret'));
    // the separators keep (t, a@b) and (t@a, b) apart
    expect(a.keyOf('t', 'ab', 'c')).not.toBe(a.keyOf('ta', 'b', 'c'));
    // and where the auth-id ends and the password starts
    expect(a.keyOf('t', 'a', 'bc')).not.toBe(a.keyOf('t', 'ab', 'c'));
    expect(a.keyOf('t', 'a\0', 'b')).not.toBe(a.keyOf('t', 'a', '\0b'));
  });

  it('answers only while the verified hash is still among the stored ones, and within the ttl', () => {
    const c = cache(1_000);
    const key = c.keyOf('t', 'a', 'pw');
    c.put(key, { tenantId: 't', deviceId: 'd', pwdHash: 'H1' });
    expect(c.get(key, ['H0', 'H1'])).toBe('d');
    expect(c.get(key, ['H2'])).toBeUndefined();
    // a miss for a changed secret also drops the entry
    expect(c.get(key, ['H1'])).toBeUndefined();
    c.put(key, { tenantId: 't', deviceId: 'd', pwdHash: 'H1' });
    now += 1_000;
    expect(c.get(key, ['H1'])).toBeUndefined();
  });

  it('never outlives the secret’s not-after', () => {
    const c = cache(60_000);
    const key = c.keyOf('t', 'a', 'pw');
    c.put(key, { tenantId: 't', deviceId: 'd', pwdHash: 'H', notAfter: now + 10 });
    expect(c.get(key, ['H'])).toBe('d');
    now += 11;
    expect(c.get(key, ['H'])).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const c = cache(60_000, 2);
    const [k1, k2, k3] = ['1', '2', '3'].map((p) => c.keyOf('t', 'a', p));
    c.put(k1!, { tenantId: 't', deviceId: 'd1', pwdHash: 'H' });
    c.put(k2!, { tenantId: 't', deviceId: 'd2', pwdHash: 'H' });
    expect(c.get(k1!, ['H'])).toBe('d1'); // k1 now most recent
    c.put(k3!, { tenantId: 't', deviceId: 'd3', pwdHash: 'H' });
    expect(c.get(k2!, ['H'])).toBeUndefined();
    expect(c.get(k1!, ['H'])).toBe('d1');
    expect(c.size).toBe(2);
  });

  it('drops entries on registry notifications about the device, its credentials or its tenant', () => {
    const c = cache();
    const put = (tenant: string, device: string): string => {
      const key = c.keyOf(tenant, device, 'pw');
      c.put(key, { tenantId: tenant, deviceId: device, pwdHash: 'H' });
      return key;
    };
    const a1 = put('A', 'd1');
    const a2 = put('A', 'd2');
    const b1 = put('B', 'd1');
    const base = { source: 'device-registry', creation: '2026-01-01T00:00:00Z' };
    c.onNotification({
      ...base,
      type: 'credentials-change-v1',
      change: 'UPDATE',
      'tenant-id': 'A',
      'device-id': 'd1',
    } as never);
    expect(c.get(a1, ['H'])).toBeUndefined();
    expect(c.get(a2, ['H'])).toBe('d2');
    expect(c.get(b1, ['H'])).toBe('d1');
    c.onNotification({
      ...base,
      type: 'tenant-change-v1',
      change: 'UPDATE',
      'tenant-id': 'A',
      enabled: true,
    } as never);
    expect(c.get(a2, ['H'])).toBeUndefined();
    expect(c.get(b1, ['H'])).toBe('d1');
  });

  it('stores nothing with a ttl of 0', () => {
    const c = cache(0);
    const key = c.keyOf('t', 'a', 'pw');
    c.put(key, { tenantId: 't', deviceId: 'd', pwdHash: 'H' });
    expect(c.get(key, ['H'])).toBeUndefined();
  });
});
