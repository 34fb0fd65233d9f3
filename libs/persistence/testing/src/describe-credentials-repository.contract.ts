import { randomUUID } from 'node:crypto';

import type {
  CredentialKey,
  CredentialsRepository,
  JsonObject,
  JsonValue,
  NewOutboxMessage,
} from '@tessera/persistence';
import { ResourceConflictError } from '@tessera/registry-api';

const SECRET = 'c2VjcmV0LWtleS1kby1ub3QtbG9n';

/** A hashed-password credential as the registry stores it (hash, salt; never a plain password). */
const password = (authId: string, extra: JsonObject = {}): JsonObject => ({
  type: 'hashed-password',
  'auth-id': authId,
  enabled: true,
  secrets: [
    {
      id: randomUUID(),
      'hash-function': 'bcrypt',
      'pwd-hash': `$2a$10$${SECRET}`,
      'not-after': '2027-12-24T19:00:00Z',
    },
  ],
  ...extra,
});

const psk = (authId: string): JsonObject => ({
  type: 'psk',
  'auth-id': authId,
  secrets: [{ id: randomUUID(), key: SECRET }],
});

/** A JSON member as text (the credentials built here have string `type` and `auth-id`). */
const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v));

const keyOf = (c: JsonObject): CredentialKey => ({
  type: text(c['type']),
  authId: text(c['auth-id']),
});

/**
 * The behaviour every CredentialsRepository must have (Hono's credentials management semantics:
 * the whole set per device, (type, auth-id) unique per tenant). `factory` opens a store on an
 * empty, isolated schema or database. Every test works in its own random tenant.
 */
export function describeCredentialsRepositoryContract(
  name: string,
  factory: () => Promise<CredentialsRepository>,
): void {
  describe(`${name} CredentialsRepository contract`, () => {
    let sut: CredentialsRepository;
    const newTenant = (): string => `t-${randomUUID()}`;
    const put = (
      tenantId: string,
      deviceId: string,
      credentials: JsonObject[],
      expectedVersion?: string,
      outbox: NewOutboxMessage[] = [],
    ): Promise<string> =>
      sut.replace(tenantId, deviceId, credentials, credentials.map(keyOf), expectedVersion, outbox);
    const note = (tenantId: string, change: string): NewOutboxMessage => ({
      topic: 'hono.notification.registry-device',
      key: tenantId,
      payload: { type: 'credentials-change-v1', change, 'tenant-id': tenantId },
    });
    const pendingOf = async (tenantId: string): Promise<string[]> =>
      (await sut.pendingNotifications(10_000))
        .filter((m) => m.key === tenantId)
        .map((m) => text(m.payload['change']));
    const holder = async (tenantId: string, c: JsonObject): Promise<string | undefined> =>
      (await sut.findByKey(tenantId, keyOf(c)))?.deviceId;

    beforeAll(async () => {
      sut = await factory();
    });
    afterAll(async () => {
      await sut.close();
    });

    it('replaces and reads back the whole set with a new version each time, JSON preserved exactly', async () => {
      const t = newTenant();
      const rich = password('rich', {
        ext: {
          nested: { list: [1, 'two', { three: [3] }], matrix: [[1, 2], [3]], empty: {}, none: [] },
          'dotted.key': true,
          $dollar: 'kept',
          nothing: null,
          number: -12.5,
          big: 2 ** 40,
          unicode: 'Grüße, 世界 😀',
        },
      });
      const set = [rich, psk('rich')];
      const v1 = await put(t, 'd1', set);
      expect(await sut.findByDevice(t, 'd1')).toEqual({
        tenantId: t,
        deviceId: 'd1',
        version: v1,
        credentials: set,
      });
      // Order of the set is kept, and so is every nested secret.
      const again = await sut.findByDevice(t, 'd1');
      expect(JSON.stringify(again?.credentials.map((c) => c['type']))).toBe(
        JSON.stringify(['hashed-password', 'psk']),
      );

      const next = [psk('other')];
      const v2 = await put(t, 'd1', next);
      expect(v2).not.toBe(v1);
      expect(await sut.findByDevice(t, 'd1')).toEqual({
        tenantId: t,
        deviceId: 'd1',
        version: v2,
        credentials: next,
      });

      const v3 = await put(t, 'd1', []);
      expect(await sut.findByDevice(t, 'd1')).toEqual({
        tenantId: t,
        deviceId: 'd1',
        version: v3,
        credentials: [],
      });
      expect(await sut.findByDevice(t, 'unknown')).toBeUndefined();
      expect(await sut.findByDevice(newTenant(), 'd1')).toBeUndefined();
    });

    it('finds the set by (type, auth-id), within the tenant only', async () => {
      const t = newTenant();
      const set = [password('alice'), psk('alice')];
      const v = await put(t, 'd1', set);
      const found = await sut.findByKey(t, { type: 'hashed-password', authId: 'alice' });
      expect(found).toEqual({ tenantId: t, deviceId: 'd1', version: v, credentials: set });
      expect((await sut.findByKey(t, { type: 'psk', authId: 'alice' }))?.deviceId).toBe('d1');
      expect(await sut.findByKey(t, { type: 'x509-cert', authId: 'alice' })).toBeUndefined();
      expect(await sut.findByKey(t, { type: 'psk', authId: 'bob' })).toBeUndefined();
      expect(await sut.findByKey(newTenant(), { type: 'psk', authId: 'alice' })).toBeUndefined();
    });

    it('answers concurrent look-ups each with its own set (same, other and unknown keys)', async () => {
      const t = newTenant();
      const t2 = newTenant();
      const v1 = await put(t, 'd1', [password('alice'), psk('alice')]);
      const v2 = await put(t, 'd2', [password('bob')]);
      await put(t2, 'd1', [password('alice')]);
      const found = await Promise.all([
        sut.findByKey(t, { type: 'hashed-password', authId: 'alice' }),
        sut.findByKey(t, { type: 'hashed-password', authId: 'bob' }),
        sut.findByKey(t, { type: 'psk', authId: 'alice' }),
        sut.findByKey(t, { type: 'hashed-password', authId: 'carol' }),
        sut.findByKey(t2, { type: 'hashed-password', authId: 'bob' }),
        sut.findByKey(t, { type: 'hashed-password', authId: 'alice' }),
      ]);
      expect(found.map((f) => f && [f.tenantId, f.deviceId, f.version])).toEqual([
        [t, 'd1', v1],
        [t, 'd2', v2],
        [t, 'd1', v1],
        undefined,
        undefined,
        [t, 'd1', v1],
      ]);
      // Callers asking for the same key do not share (and cannot corrupt) one object.
      expect(found[5]).toEqual(found[0]);
      expect(found[5]?.credentials).not.toBe(found[0]?.credentials);
    });

    it('refuses a key another device of the tenant holds with 409, naming it, and changes nothing', async () => {
      const t = newTenant();
      const taken = password('taken');
      const vA = await put(t, 'a', [taken]);
      const vB = await put(t, 'b', [psk('b-own')]);
      // Free keys on both sides of the taken one in any order, so some get claimed before the clash.
      const attempt = [password('aaa-free'), psk('taken'), password('taken'), psk('zzz-free')];
      const refusal = put(t, 'b', attempt, undefined, [note(t, 'UPDATE')]);
      await expect(refusal).rejects.toBeInstanceOf(ResourceConflictError);
      const error = (await refusal.catch((e: unknown) => e)) as ResourceConflictError;
      expect(error.status).toBe(409);
      expect(error.message).toContain('hashed-password');
      expect(error.message).toContain('taken');
      expect(error.message).not.toContain(SECRET);
      // A device without credentials stays without.
      await expect(put(t, 'c', [taken])).rejects.toMatchObject({ status: 409 });

      expect(await sut.findByDevice(t, 'a')).toEqual({
        tenantId: t,
        deviceId: 'a',
        version: vA,
        credentials: [taken],
      });
      expect(await sut.findByDevice(t, 'b')).toMatchObject({ version: vB });
      expect(await sut.findByDevice(t, 'c')).toBeUndefined();
      expect(await holder(t, taken)).toBe('a');
      expect(await holder(t, psk('b-own'))).toBe('b');
      for (const free of [password('aaa-free'), psk('taken'), psk('zzz-free')]) {
        expect(await holder(t, free)).toBeUndefined();
      }
      expect(await pendingOf(t)).toEqual([]);
      // No claim was left behind: a third device gets the free keys at once.
      await put(t, 'd', [password('aaa-free'), psk('taken'), psk('zzz-free')]);
      expect(await holder(t, psk('zzz-free'))).toBe('d');
    });

    it('allows the same (type, auth-id) in another tenant', async () => {
      const [t1, t2] = [newTenant(), newTenant()];
      await put(t1, 'd', [password('shared')]);
      await put(t2, 'd', [password('shared')]);
      await put(t2, 'e', [psk('shared')]);
      expect(await holder(t1, password('shared'))).toBe('d');
      expect(await holder(t2, password('shared'))).toBe('d');
      expect(await holder(t2, psk('shared'))).toBe('e');
    });

    it('lets a device keep and move its own keys, and frees the ones it drops', async () => {
      const t = newTenant();
      await put(t, 'd', [password('k1'), password('k2')]);
      await put(t, 'd', [password('k1'), password('k2')]); // the same set again
      await put(t, 'd', [password('k2'), psk('k1'), password('k3')]);
      expect(await holder(t, password('k1'))).toBeUndefined();
      expect(await holder(t, password('k2'))).toBe('d');
      expect(await holder(t, psk('k1'))).toBe('d');
      expect(await holder(t, password('k3'))).toBe('d');
      // The dropped key is free for another device at once; then the first cannot take it back.
      await put(t, 'e', [password('k1')]);
      expect(await holder(t, password('k1'))).toBe('e');
      await expect(put(t, 'd', [password('k1')])).rejects.toMatchObject({ status: 409 });
      expect(await holder(t, password('k3'))).toBe('d');
      // An empty set frees everything.
      await put(t, 'd', []);
      await put(t, 'e', [password('k1'), password('k2'), psk('k1'), password('k3')]);
      expect(await holder(t, password('k3'))).toBe('e');
    });

    it('checks the expected version (412) and writes unconditionally without one', async () => {
      const t = newTenant();
      const v1 = await put(t, 'd', [password('v')]);
      const v2 = await put(t, 'd', [password('v'), psk('v')], v1);
      await expect(put(t, 'd', [password('stale')], v1)).rejects.toMatchObject({ status: 412 });
      await expect(put(t, 'd', [password('stale')], v1)).rejects.toBeInstanceOf(
        ResourceConflictError,
      );
      expect(await sut.findByDevice(t, 'd')).toMatchObject({ version: v2 });
      expect(await holder(t, password('stale'))).toBeUndefined();
      const v3 = await put(t, 'd', [psk('v')]);
      expect((await sut.findByDevice(t, 'd'))?.version).toBe(v3);
      // A version for a device without credentials cannot match either, and claims nothing.
      await expect(put(t, 'new', [password('fresh')], v3)).rejects.toMatchObject({
        status: 412,
      });
      expect(await sut.findByDevice(t, 'new')).toBeUndefined();
      await put(t, 'other', [password('fresh')]);
      expect(await holder(t, password('fresh'))).toBe('other');
    });

    it('lets exactly one of several writes with the same expected version win (412 for the rest)', async () => {
      const t = newTenant();
      const v1 = await put(t, 'd', [password('cas')]);
      const sets = [0, 1, 2, 3, 4].map((n) => [password('cas'), psk(`cas-${String(n)}`)]);
      const results = await Promise.allSettled(sets.map((set) => put(t, 'd', set, v1)));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 412 });
      }
      const winner = won[0] ?? -1;
      const final = await sut.findByDevice(t, 'd');
      expect(final?.credentials).toEqual(sets[winner]);
      // Only the winner's extra key is held; the losers' are free.
      for (let n = 0; n < sets.length; n++) {
        expect(await holder(t, psk(`cas-${String(n)}`))).toBe(n === winner ? 'd' : undefined);
      }
      await put(
        t,
        'e',
        [0, 1, 2, 3, 4].filter((n) => n !== winner).map((n) => psk(`cas-${String(n)}`)),
      );
    });

    it('deletes one device’s credentials and frees its keys; no error without credentials', async () => {
      const t = newTenant();
      await put(t, 'd', [password('del'), psk('del')]);
      await put(t, 'keep', [password('keep')]);
      await sut.deleteForDevice(t, 'd', []);
      expect(await sut.findByDevice(t, 'd')).toBeUndefined();
      expect(await holder(t, password('del'))).toBeUndefined();
      expect(await holder(t, password('keep'))).toBe('keep');
      await put(t, 'e', [password('del'), psk('del')]);
      expect(await holder(t, psk('del'))).toBe('e');
      await expect(sut.deleteForDevice(t, 'd', [])).resolves.toBeUndefined();
      await expect(sut.deleteForDevice(t, 'never', [])).resolves.toBeUndefined();
      // The device can get credentials again.
      await put(t, 'd', [password('again')]);
      expect(await holder(t, password('again'))).toBe('d');
    });

    it('stores the creation time of the device incarnation with the set, to the millisecond', async () => {
      const t = newTenant();
      const set = [psk('inc')];
      const keys = set.map(keyOf);
      const created = new Date('2026-03-01T10:20:30.456Z');
      const v1 = await sut.replace(t, 'd', set, keys, undefined, [], created);
      expect(await sut.findByDevice(t, 'd')).toEqual({
        tenantId: t,
        deviceId: 'd',
        version: v1,
        credentials: set,
        deviceCreated: created,
      });
      expect((await sut.findByDevice(t, 'd'))?.deviceCreated?.getTime()).toBe(created.getTime());
      const found = await sut.findByKey(t, { type: 'psk', authId: 'inc' });
      expect(found?.deviceCreated).toEqual(created);
      // A conditional write replaces it too; a write without one stores none.
      const later = new Date('2026-03-01T10:20:30.457Z');
      const v2 = await sut.replace(t, 'd', set, keys, v1, [], later);
      expect((await sut.findByDevice(t, 'd'))?.deviceCreated).toEqual(later);
      await put(t, 'd', set, v2);
      expect(await sut.findByDevice(t, 'd')).not.toHaveProperty('deviceCreated');
      await put(t, 'e', [password('none')]);
      expect(await sut.findByDevice(t, 'e')).not.toHaveProperty('deviceCreated');
    });

    it('deletes a device’s set only in the expected version, when one is given', async () => {
      const t = newTenant();
      const v1 = await put(t, 'd', [password('cond')]);
      const v2 = await put(t, 'd', [password('cond')], v1);
      await sut.deleteForDevice(t, 'd', [note(t, 'STALE')], v1);
      expect(await sut.findByDevice(t, 'd')).toMatchObject({ version: v2 });
      expect(await holder(t, password('cond'))).toBe('d');
      await sut.deleteForDevice(t, 'never', [note(t, 'NONE')], v1);
      expect(await pendingOf(t)).toEqual([]);

      await sut.deleteForDevice(t, 'd', [note(t, 'DELETE')], v2);
      expect(await sut.findByDevice(t, 'd')).toBeUndefined();
      expect(await holder(t, password('cond'))).toBeUndefined();
      expect(await pendingOf(t)).toEqual(['DELETE']);
      // Gone already: nothing more happens.
      await sut.deleteForDevice(t, 'd', [note(t, 'AGAIN')], v2);
      expect(await pendingOf(t)).toEqual(['DELETE']);
      await put(t, 'e', [password('cond')]);
      expect(await holder(t, password('cond'))).toBe('e');
    });

    it('deletes the credentials of every device of one tenant only', async () => {
      const [t, other] = [newTenant(), newTenant()];
      await put(t, 'd1', [password('k1')]);
      await put(t, 'd2', [password('k2'), psk('k2')]);
      await put(t, 'd3', []);
      const vOther = await put(other, 'd1', [password('k1')]);
      await sut.deleteAllOfTenant(t, []);
      for (const d of ['d1', 'd2', 'd3']) expect(await sut.findByDevice(t, d)).toBeUndefined();
      expect(await holder(t, password('k1'))).toBeUndefined();
      expect(await sut.findByDevice(other, 'd1')).toMatchObject({ version: vOther });
      expect(await holder(other, password('k1'))).toBe('d1');
      // Every key of the tenant is free again.
      await put(t, 'd4', [password('k1'), password('k2'), psk('k2')]);
      expect(await holder(t, psk('k2'))).toBe('d4');
      await expect(sut.deleteAllOfTenant(newTenant(), [])).resolves.toBeUndefined();
    });

    it('stores outbox messages with each write and hands them to the relay until acknowledged', async () => {
      const t = newTenant();
      await put(t, 'd', [password('ob')], undefined, [note(t, 'CREATE')]);
      await put(t, 'd', [psk('ob')], undefined, [note(t, 'UPDATE')]);
      await sut.deleteForDevice(t, 'd', [note(t, 'DELETE')]);
      await put(t, 'e', [password('ob')]);
      await sut.deleteAllOfTenant(t, [note(t, 'DELETE_ALL')]);
      const pending = (await sut.pendingNotifications(10_000)).filter((m) => m.key === t);
      expect(pending.map((m) => m.payload['change'])).toEqual([
        'CREATE',
        'UPDATE',
        'DELETE',
        'DELETE_ALL',
      ]);
      expect(pending[0]).toMatchObject({
        topic: 'hono.notification.registry-device',
        payload: note(t, 'CREATE').payload,
      });
      expect(pending[0]?.createdAt).toBeInstanceOf(Date);
      // Pending notifications do not keep anything alive.
      expect(await sut.findByDevice(t, 'd')).toBeUndefined();
      expect(await holder(t, password('ob'))).toBeUndefined();
      await put(t, 'f', [password('ob')]);
      expect(await holder(t, password('ob'))).toBe('f');

      await sut.acknowledgeNotifications(pending.slice(0, 1).map((m) => m.id));
      expect(await pendingOf(t)).toEqual(['UPDATE', 'DELETE', 'DELETE_ALL']);
      await sut.acknowledgeNotifications(pending.map((m) => m.id));
      expect(await pendingOf(t)).toEqual([]);
      // Acknowledging twice, or unknown ids, is harmless.
      await sut.acknowledgeNotifications([...pending.map((m) => m.id), randomUUID()]);
      expect(await holder(t, password('ob'))).toBe('f');
    });

    it('stores no outbox message for a write that failed', async () => {
      const t = newTenant();
      const v = await put(t, 'a', [password('held')]);
      await expect(
        put(t, 'b', [password('held')], undefined, [note(t, 'CONFLICT')]),
      ).rejects.toMatchObject({ status: 409 });
      await expect(
        put(t, 'a', [password('held')], 'stale', [note(t, 'STALE')]),
      ).rejects.toMatchObject({ status: 412 });
      await put(t, 'a', [password('held')], v, [note(t, 'OK')]);
      expect(await pendingOf(t)).toEqual(['OK']);
    });

    it('lets exactly one of two devices racing for the same key win', async () => {
      for (let round = 0; round < 5; round++) {
        const t = newTenant();
        // In odd rounds both devices already have credentials (update instead of first write).
        const before: Record<string, JsonObject[]> = { a: [psk('a-old')], b: [psk('b-old')] };
        if (round % 2 === 1) {
          await put(t, 'a', before['a'] ?? []);
          await put(t, 'b', before['b'] ?? []);
        }
        const shared = password('shared');
        const results = await Promise.allSettled([
          put(t, 'a', [psk('a-own'), shared]),
          put(t, 'b', [shared, psk('b-own')]),
        ]);
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).toHaveLength(1);
        const lost = results.find((r) => r.status === 'rejected');
        expect(lost?.reason).toBeInstanceOf(ResourceConflictError);
        expect(lost?.reason).toMatchObject({ status: 409 });

        const [winner, loser] = won[0] === 0 ? ['a', 'b'] : ['b', 'a'];
        const winning = results[won[0] ?? 0];
        expect((await sut.findByKey(t, keyOf(shared)))?.version).toBe(
          winning?.status === 'fulfilled' ? winning.value : undefined,
        );
        expect(await holder(t, shared)).toBe(winner);
        expect(await holder(t, psk(`${winner}-own`))).toBe(winner);
        expect(await holder(t, psk(`${loser}-own`))).toBeUndefined();
        expect((await sut.findByDevice(t, loser))?.credentials).toEqual(
          round % 2 === 1 ? before[loser] : undefined,
        );
        // The loser's other key was not left claimed.
        await put(t, 'c', [psk(`${loser}-own`)]);
        expect(await holder(t, psk(`${loser}-own`))).toBe('c');
      }
    });

    it('keeps a device consistent under concurrent replaces of its own set', async () => {
      const t = newTenant();
      await put(t, 'd', [password('base')]);
      const results = await Promise.allSettled([
        put(t, 'd', [password('base'), psk('one')]),
        put(t, 'd', [psk('two')]),
        put(t, 'd', [psk('three'), password('base')]),
      ]);
      // Without a version check every write may succeed (last one wins) or ask for a retry (503).
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ status: 503 });
      }
      const final = await sut.findByDevice(t, 'd');
      const finalKeys = new Set(final?.credentials.map((c) => JSON.stringify(keyOf(c))));
      for (const c of [password('base'), psk('one'), psk('two'), psk('three')]) {
        const listed = finalKeys.has(JSON.stringify(keyOf(c)));
        expect(await holder(t, c)).toBe(listed ? 'd' : undefined);
        if (!listed) {
          // Not left claimed either.
          await put(t, `other-${text(c['type'])}-${text(c['auth-id'])}`, [c]);
        }
      }
    });
  });
}
