import { randomUUID } from 'node:crypto';

import type {
  JsonObject,
  NewOutboxMessage,
  SearchQuery,
  TenantRepository,
} from '@tessera/persistence';
import { NotFoundError, ResourceConflictError } from '@tessera/registry-api';

const page = (q: Partial<SearchQuery>): SearchQuery => ({
  filters: [],
  sort: [],
  pageSize: 30,
  pageOffset: 0,
  ...q,
});

/**
 * The behaviour every TenantRepository must have (Hono's AbstractTenantServiceTest, in jest).
 * `factory` opens a store on an empty, isolated schema or database; `teardown` closes it.
 */
export function describeTenantRepositoryContract(
  name: string,
  factory: () => Promise<TenantRepository>,
): void {
  describe(`${name} TenantRepository contract`, () => {
    let sut: TenantRepository;
    // A marker unique to this run, so searches see only this suite's tenants.
    const run = randomUUID().slice(0, 8);
    const id = (suffix: string): string => `t-${run}-${suffix}`;
    const doc = (extra: JsonObject = {}): JsonObject => ({ enabled: true, ext: { run, ...extra } });

    beforeAll(async () => {
      sut = await factory();
    });
    afterAll(async () => {
      await sut.close();
    });

    it('creates and reads back a tenant with a version', async () => {
      const version = await sut.create(id('a'), doc({ brand: 'acme' }), { subjectDns: [] }, []);
      const found = await sut.findById(id('a'));
      expect(found?.version).toBe(version);
      expect(found?.document).toEqual(doc({ brand: 'acme' }));
      expect(found?.createdAt).toBeInstanceOf(Date);
    });

    it('answers concurrent look-ups each with its own tenant (same, other and unknown ids)', async () => {
      const va = await sut.create(id('ca'), doc({ lookup: 'a' }), { subjectDns: [] }, []);
      const vb = await sut.create(id('cb'), doc({ lookup: 'b' }), { subjectDns: [] }, []);
      const found = await Promise.all(
        [id('ca'), id('cb'), id('cx'), id('ca')].map((t) => sut.findById(t)),
      );
      expect(found.map((f) => f && [f.id, f.version, f.document])).toEqual([
        [id('ca'), va, doc({ lookup: 'a' })],
        [id('cb'), vb, doc({ lookup: 'b' })],
        undefined,
        [id('ca'), va, doc({ lookup: 'a' })],
      ]);
      // Callers asking for the same tenant do not share (and cannot corrupt) one object.
      expect(found[3]?.document).not.toBe(found[0]?.document);
    });

    it('refuses a duplicate id with 409', async () => {
      await sut.create(id('dup'), doc(), { subjectDns: [] }, []);
      await expect(sut.create(id('dup'), doc(), { subjectDns: [] }, [])).rejects.toMatchObject({
        status: 409,
      });
      await expect(sut.create(id('dup'), doc(), { subjectDns: [] }, [])).rejects.toBeInstanceOf(
        ResourceConflictError,
      );
    });

    it('refuses a duplicate alias with 409 and finds by alias', async () => {
      await sut.create(id('al1'), doc(), { alias: `alias-${run}`, subjectDns: [] }, []);
      await expect(
        sut.create(id('al2'), doc(), { alias: `alias-${run}`, subjectDns: [] }, []),
      ).rejects.toMatchObject({ status: 409 });
      expect(await sut.findById(id('al2'))).toBeUndefined();
      expect((await sut.findByIdOrAlias(`alias-${run}`))?.id).toBe(id('al1'));
      expect((await sut.findByIdOrAlias(id('al1')))?.id).toBe(id('al1'));
    });

    it('finds tenants by trusted CA subject DN', async () => {
      const dn = `CN=ca-${run},O=Tessera`;
      await sut.create(id('ca1'), doc(), { subjectDns: [dn], trustAnchorGroup: 'g' }, []);
      await sut.create(
        id('ca2'),
        doc(),
        { subjectDns: ['CN=other', dn], trustAnchorGroup: 'g' },
        [],
      );
      const found = await sut.findBySubjectDn(dn);
      expect(found.map((t) => t.id)).toEqual([id('ca1'), id('ca2')]);
      expect(found[0]?.keys.trustAnchorGroup).toBe('g');
    });

    it('finds the other tenants whose ids collide as Kafka topic names (. and _ alike)', async () => {
      const sorted = async (other: string): Promise<string[]> =>
        (await sut.findIdsCollidingWith(other)).sort();
      const note: NewOutboxMessage = { topic: 't', key: id('k_x_y'), payload: { change: 'x' } };
      for (const suffix of ['k.x_y', 'kzx_y', 'k.x_y.z', 'k_x_y']) {
        await sut.create(id(suffix), doc(), { subjectDns: [] }, []);
      }
      // Anchored at both ends, `.` is no wildcard, letters keep their case, the id itself is left out.
      expect(await sorted(id('k_x.y'))).toEqual([id('k.x_y'), id('k_x_y')].sort());
      expect(await sorted(id('k.x_y'))).toEqual([id('k_x_y')]);
      expect(await sorted(id('k_x_y.z'))).toEqual([id('k.x_y.z')]);
      expect(await sorted(id('kzx.y'))).toEqual([id('kzx_y')]);
      expect(await sorted(id('K.x_y'))).toEqual([]);
      expect(await sorted(id('k.x'))).toEqual([]);
      // A deleted tenant no longer collides, also while its DELETE notification is pending.
      await sut.delete(id('k_x_y'), undefined, [note]);
      expect(await sorted(id('k_x.y'))).toEqual([id('k.x_y')]);
    });

    it('updates with and without a version check', async () => {
      const v1 = await sut.create(id('u'), doc(), { subjectDns: [] }, []);
      const v2 = await sut.update(id('u'), doc({ n: 2 }), { subjectDns: [] }, v1, []);
      expect(v2).not.toBe(v1);
      await expect(
        sut.update(id('u'), doc({ n: 3 }), { subjectDns: [] }, v1, []),
      ).rejects.toMatchObject({ status: 412 });
      expect((await sut.findById(id('u')))?.document).toEqual(doc({ n: 2 }));
      const v3 = await sut.update(id('u'), doc({ n: 4 }), { subjectDns: [] }, undefined, []);
      expect((await sut.findById(id('u')))?.version).toBe(v3);
    });

    it('answers 404 for updates and deletes of unknown tenants', async () => {
      await expect(
        sut.update(id('none'), doc(), { subjectDns: [] }, undefined, []),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(sut.delete(id('none'), undefined, [])).rejects.toMatchObject({ status: 404 });
    });

    it('deletes with a version check', async () => {
      const v = await sut.create(id('d'), doc(), { subjectDns: [] }, []);
      await expect(sut.delete(id('d'), 'stale', [])).rejects.toMatchObject({ status: 412 });
      await sut.delete(id('d'), v, []);
      expect(await sut.findById(id('d'))).toBeUndefined();
    });

    it('searches with filters, wildcards, typed values, sorting and paging', async () => {
      for (const [suffix, brand, n, enabled] of [
        ['s1', 'acme-1', 3, true],
        ['s2', 'acme-2', 1, false],
        ['s3', 'bolt', 2, true],
      ] as const) {
        await sut.create(
          id(suffix),
          { enabled, ext: { run, search: true, brand, n } },
          { subjectDns: [] },
          [],
        );
      }
      const mine = { field: '/ext/run', value: run, op: 'eq' as const };
      const marked = { field: '/ext/search', value: true, op: 'eq' as const };

      const all = await sut.search(
        page({ filters: [mine, marked], sort: [{ field: '/ext/n', direction: 'asc' }] }),
      );
      expect(all.total).toBe(3);
      expect(all.result.map((t) => t.id)).toEqual([id('s2'), id('s3'), id('s1')]);

      const wildcard = await sut.search(
        page({ filters: [mine, { field: '/ext/brand', value: 'acme-?', op: 'eq' }] }),
      );
      expect(wildcard.result.map((t) => t.id).sort()).toEqual([id('s1'), id('s2')]);

      const star = await sut.search(
        page({ filters: [mine, { field: '/ext/brand', value: '*ol*', op: 'eq' }] }),
      );
      expect(star.result.map((t) => t.id)).toEqual([id('s3')]);

      const typed = await sut.search(
        page({ filters: [mine, marked, { field: '/enabled', value: false, op: 'eq' }] }),
      );
      expect(typed.result.map((t) => t.id)).toEqual([id('s2')]);

      const number = await sut.search(
        page({ filters: [mine, { field: '/ext/n', value: 2, op: 'eq' }] }),
      );
      expect(number.result.map((t) => t.id)).toEqual([id('s3')]);

      const desc = await sut.search(
        page({
          filters: [mine, marked],
          sort: [{ field: '/ext/brand', direction: 'desc' }],
          pageSize: 2,
          pageOffset: 1,
        }),
      );
      expect(desc.total).toBe(3);
      expect(desc.result.map((t) => t.id)).toEqual([id('s2'), id('s1')]);

      const restricted = await sut.search({
        ...page({ filters: [mine, marked], sort: [{ field: '/ext/n', direction: 'asc' }] }),
        ids: [id('s1'), id('s2'), id('absent')],
      });
      expect(restricted.total).toBe(2);
      expect(restricted.result.map((t) => t.id)).toEqual([id('s2'), id('s1')]);
      const noIds = await sut.search({ ...page({ filters: [mine] }), ids: [] });
      expect(noIds).toEqual({ total: 0, result: [] });

      const countOnly = await sut.search(page({ filters: [mine, marked], pageSize: 0 }));
      expect(countOnly).toEqual({ total: 3, result: [] });

      await sut.create(
        id('s4'),
        { enabled: true, ext: { run, search: true } },
        { subjectDns: [] },
        [],
      );
      const missingFirst = await sut.search(
        page({ filters: [mine, marked], sort: [{ field: '/ext/brand', direction: 'asc' }] }),
      );
      expect(missingFirst.result.map((t) => t.id)).toEqual([
        id('s4'),
        id('s1'),
        id('s2'),
        id('s3'),
      ]);
      const missingLast = await sut.search(
        page({ filters: [mine, marked], sort: [{ field: '/ext/brand', direction: 'desc' }] }),
      );
      expect(missingLast.result.map((t) => t.id)).toEqual([id('s3'), id('s2'), id('s1'), id('s4')]);
      await sut.delete(id('s4'), undefined, []);

      const beyond = await sut.search(page({ filters: [mine, marked], pageOffset: 10 }));
      expect(beyond).toEqual({ total: 3, result: [] });
      const sortedBeyond = await sut.search(
        page({
          filters: [mine, marked],
          sort: [{ field: '/ext/brand', direction: 'desc' }],
          pageOffset: 10,
        }),
      );
      expect(sortedBeyond).toEqual({ total: 3, result: [] });

      const none = await sut.search(
        page({ filters: [mine, { field: '/ext/brand', value: 'zzz*', op: 'eq' }] }),
      );
      expect(none).toEqual({ total: 0, result: [] });
    });

    it('stores any JSON as it is (dotted, $ and empty member names, nested arrays) and searches it', async () => {
      const odd: JsonObject = {
        'com.example.mode': 'eco',
        $where: { $gt: 1, '': [[1, [2, []]], { '%5B': ['x'] }] },
        '50%': 'ü',
        '': true,
      };
      await sut.create(id('odd'), doc(odd), { subjectDns: [] }, []);
      expect((await sut.findById(id('odd')))?.document).toEqual(doc(odd));
      await sut.update(id('odd'), doc({ ...odd, '': false }), { subjectDns: [] }, undefined, []);
      expect((await sut.findById(id('odd')))?.document).toEqual(doc({ ...odd, '': false }));
      const mine = { field: '/ext/run', value: run, op: 'eq' as const };
      for (const [field, value] of [
        ['/ext/com.example.mode', 'eco'],
        ['/ext/$where/$gt', 1],
        ['/ext/50%', 'ü'],
        ['/ext/', false],
      ] as const) {
        const found = await sut.search(page({ filters: [mine, { field, value, op: 'eq' }] }));
        expect({ field, ids: found.result.map((t) => t.id) }).toEqual({ field, ids: [id('odd')] });
      }
    });

    it('treats wildcard-looking characters of the store literally', async () => {
      await sut.create(id('lit'), { ext: { run, code: '50%_a.b' } }, { subjectDns: [] }, []);
      await sut.create(id('lit2'), { ext: { run, code: '50xya.b' } }, { subjectDns: [] }, []);
      const found = await sut.search(
        page({ filters: [{ field: '/ext/code', value: '50%_a.*', op: 'eq' }] }),
      );
      expect(found.result.map((t) => t.id)).toEqual([id('lit')]);
    });
    it('stores outbox messages with the write and hands them to the relay until acknowledged', async () => {
      const note = (n: string): NewOutboxMessage => ({
        topic: 'hono.notification.registry-tenant',
        key: id('ob'),
        payload: { type: 'tenant-change-v1', change: n, 'tenant-id': id('ob') },
      });
      await sut.create(id('ob'), doc(), { subjectDns: [] }, [note('CREATE')]);
      await sut.update(id('ob'), doc({ n: 1 }), { subjectDns: [] }, undefined, [note('UPDATE')]);
      const pending = (await sut.pendingNotifications(100)).filter((m) => m.key === id('ob'));
      expect(pending.map((m) => m.payload['change'])).toEqual(['CREATE', 'UPDATE']);
      expect(pending[0]?.topic).toBe('hono.notification.registry-tenant');
      await sut.acknowledgeNotifications(pending.map((m) => m.id));
      expect((await sut.pendingNotifications(100)).filter((m) => m.key === id('ob'))).toEqual([]);
      // Acknowledging twice is harmless.
      await sut.acknowledgeNotifications(pending.map((m) => m.id));
    });

    it('stores no outbox message for a write that failed', async () => {
      await sut.create(id('obf'), doc(), { subjectDns: [] }, []);
      const note: NewOutboxMessage = { topic: 't', key: id('obf'), payload: { change: 'CREATE' } };
      await expect(sut.create(id('obf'), doc(), { subjectDns: [] }, [note])).rejects.toMatchObject({
        status: 409,
      });
      await expect(
        sut.update(id('obf'), doc(), { subjectDns: [] }, 'stale', [note]),
      ).rejects.toMatchObject({ status: 412 });
      await expect(sut.delete(id('obf-none'), undefined, [note])).rejects.toMatchObject({
        status: 404,
      });
      expect((await sut.pendingNotifications(1000)).filter((m) => m.key === id('obf'))).toEqual([]);
    });

    it('keeps the delete notification pending after the tenant is gone, and lets the id be reused', async () => {
      const note: NewOutboxMessage = { topic: 't', key: id('obd'), payload: { change: 'DELETE' } };
      await sut.create(id('obd'), doc(), { alias: `obd-${run}`, subjectDns: ['CN=obd'] }, []);
      await sut.delete(id('obd'), undefined, [note]);
      expect(await sut.findById(id('obd'))).toBeUndefined();
      expect(await sut.findByIdOrAlias(`obd-${run}`)).toBeUndefined();
      expect((await sut.findBySubjectDn('CN=obd')).map((t) => t.id)).not.toContain(id('obd'));
      const everything = await sut.search(page({ pageSize: 1000 }));
      expect(everything.result.map((t) => t.id)).not.toContain(id('obd'));
      expect(everything.total).toBe(everything.result.length);
      const byId = await sut.search({ ...page({}), ids: [id('obd')] });
      expect(byId).toEqual({ total: 0, result: [] });
      const pending = (await sut.pendingNotifications(1000)).filter((m) => m.key === id('obd'));
      expect(pending).toHaveLength(1);
      // The alias is free again, and so is the id, before and after the relay acknowledged.
      await sut.create(id('obd2'), doc(), { alias: `obd-${run}`, subjectDns: [] }, []);
      await sut.create(id('obd'), doc({ again: true }), { subjectDns: [] }, []);
      await sut.acknowledgeNotifications(pending.map((m) => m.id));
      expect((await sut.findById(id('obd')))?.document).toEqual(doc({ again: true }));
    });
  });
}
