import { randomUUID } from 'node:crypto';

import type {
  DeviceRepository,
  DeviceWrite,
  JsonObject,
  NewOutboxMessage,
  OutboxMessage,
  SearchQuery,
} from '@tessera/persistence';
import { NotFoundError, ResourceConflictError } from '@tessera/registry-api';

const page = (q: Partial<SearchQuery>): SearchQuery => ({
  filters: [],
  sort: [],
  pageSize: 30,
  pageOffset: 0,
  ...q,
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const device = (
  document: JsonObject = { enabled: true },
  keys: Partial<Omit<DeviceWrite, 'document'>> = {},
): DeviceWrite => ({ document, via: [], viaGroups: [], memberOf: [], ...keys });

/**
 * The behaviour every DeviceRepository must have (Hono's AbstractDeviceManagementServiceTest and
 * AbstractRegistrationServiceTest, store part, in jest). `factory` opens a store on an empty,
 * isolated schema or database. Every test works in its own random tenant, so tests never see each
 * other's devices (only `findUnnotified` and the outbox span tenants; those results are filtered).
 */
export function describeDeviceRepositoryContract(
  name: string,
  factory: () => Promise<DeviceRepository>,
): void {
  describe(`${name} DeviceRepository contract`, () => {
    let sut: DeviceRepository;
    const newTenant = (): string => `t-${randomUUID()}`;
    const note = (tenant: string, change: string, deviceId?: string): NewOutboxMessage => ({
      topic: 'hono.notification.registry-device',
      key: deviceId ?? tenant,
      payload: {
        type: 'device-change-v1',
        change,
        'tenant-id': tenant,
        ...(deviceId === undefined ? {} : { 'device-id': deviceId }),
      },
    });
    const pendingOf = async (tenant: string): Promise<OutboxMessage[]> =>
      (await sut.pendingNotifications(10_000)).filter((m) => m.payload['tenant-id'] === tenant);
    const unnotifiedOf = async (tenant: string): Promise<string[]> =>
      (await sut.findUnnotified(10_000)).filter((d) => d.tenantId === tenant).map((d) => d.id);

    beforeAll(async () => {
      sut = await factory();
    });
    afterAll(async () => {
      await sut.close();
    });

    describe('create and read', () => {
      it('creates and reads back a device with its keys, version and status', async () => {
        const t = newTenant();
        const before = Date.now();
        const version = await sut.create(
          t,
          'd1',
          device(
            { enabled: true, ext: { brand: 'acme' }, via: ['gw1', 'gw2'] },
            { via: ['gw1', 'gw2'], viaGroups: ['grp'] },
          ),
          {},
          [],
        );
        const found = await sut.findById(t, 'd1');
        expect(found).toMatchObject({
          tenantId: t,
          id: 'd1',
          version,
          document: { enabled: true, ext: { brand: 'acme' }, via: ['gw1', 'gw2'] },
          via: ['gw1', 'gw2'],
          viaGroups: ['grp'],
          memberOf: [],
          status: { autoProvisioned: false, autoProvisioningNotificationSent: true },
        });
        expect(found?.status.created).toBeInstanceOf(Date);
        expect(found?.status.created.getTime()).toBeGreaterThanOrEqual(before - 5_000);
        expect(found?.status.updated).toBeUndefined();
      });

      it('stores a gateway with memberOf', async () => {
        const t = newTenant();
        await sut.create(t, 'gw', device({}, { memberOf: ['g1', 'g2'] }), {}, []);
        expect((await sut.findById(t, 'gw'))?.memberOf).toEqual(['g1', 'g2']);
      });

      it('marks auto-provisioned devices as not yet notified', async () => {
        const t = newTenant();
        await sut.create(t, 'auto', device(), { autoProvisioned: true }, []);
        expect((await sut.findById(t, 'auto'))?.status).toMatchObject({
          autoProvisioned: true,
          autoProvisioningNotificationSent: false,
        });
      });

      it('answers undefined for unknown devices and for devices of other tenants', async () => {
        const t = newTenant();
        await sut.create(t, 'mine', device(), {}, []);
        expect(await sut.findById(t, 'other')).toBeUndefined();
        expect(await sut.findById(newTenant(), 'mine')).toBeUndefined();
      });

      it('answers concurrent look-ups each with its own device (same, other and unknown ids)', async () => {
        const t = newTenant();
        const t2 = newTenant();
        await sut.create(t, 'a', device({ n: 1 }), {}, []);
        await sut.create(t, 'b', device({ n: 2 }, { via: ['a'] }), {}, []);
        await sut.create(t2, 'a', device({ n: 3 }), {}, []);
        const found = await Promise.all(
          ['a', 'b', 'x', 'a'].map((id) => sut.findById(t, id)).concat(sut.findById(t2, 'a')),
        );
        expect(found.map((d) => d && [d.tenantId, d.id, d.document, d.via])).toEqual([
          [t, 'a', { n: 1 }, []],
          [t, 'b', { n: 2 }, ['a']],
          undefined,
          [t, 'a', { n: 1 }, []],
          [t2, 'a', { n: 3 }, []],
        ]);
        // Callers asking for the same device do not share (and cannot corrupt) one object.
        expect(found[3]).toEqual(found[0]);
        expect(found[3]?.document).not.toBe(found[0]?.document);
      });

      it('refuses a duplicate id in the tenant with 409, but not in another tenant', async () => {
        const t = newTenant();
        const t2 = newTenant();
        await sut.create(t, 'dup', device({ n: 1 }), {}, []);
        await expect(sut.create(t, 'dup', device({ n: 2 }), {}, [])).rejects.toMatchObject({
          status: 409,
        });
        await expect(sut.create(t, 'dup', device(), {}, [])).rejects.toBeInstanceOf(
          ResourceConflictError,
        );
        await sut.create(t2, 'dup', device({ n: 3 }), { autoProvisioned: true }, []);
        expect((await sut.findById(t, 'dup'))?.document).toEqual({ n: 1 });
        expect((await sut.findById(t, 'dup'))?.status.autoProvisioned).toBe(false);
        expect((await sut.findById(t2, 'dup'))?.document).toEqual({ n: 3 });
      });
    });

    describe('update', () => {
      it('replaces document and keys, keeps the server-owned status and sets updated', async () => {
        const t = newTenant();
        const v1 = await sut.create(
          t,
          'u',
          device({ n: 1 }, { via: ['a'] }),
          {
            autoProvisioned: true,
          },
          [],
        );
        const created = await sut.findById(t, 'u');
        const v2 = await sut.update(t, 'u', device({ n: 2 }, { viaGroups: ['g'] }), v1, []);
        expect(v2).not.toBe(v1);
        const found = await sut.findById(t, 'u');
        expect(found).toMatchObject({
          version: v2,
          document: { n: 2 },
          via: [],
          viaGroups: ['g'],
          status: {
            created: created?.status.created,
            autoProvisioned: true,
            autoProvisioningNotificationSent: false,
          },
        });
        expect(found?.status.updated).toBeInstanceOf(Date);
        expect(found?.status.updated?.getTime()).toBeGreaterThanOrEqual(
          found?.status.created.getTime() ?? Infinity,
        );
      });

      it('checks the version: 412 on a mismatch, unconditional without one', async () => {
        const t = newTenant();
        const v1 = await sut.create(t, 'v', device({ n: 1 }), {}, []);
        const v2 = await sut.update(t, 'v', device({ n: 2 }), v1, []);
        await expect(sut.update(t, 'v', device({ n: 3 }), v1, [])).rejects.toMatchObject({
          status: 412,
        });
        await expect(sut.update(t, 'v', device({ n: 3 }), v1, [])).rejects.toBeInstanceOf(
          ResourceConflictError,
        );
        expect((await sut.findById(t, 'v'))?.document).toEqual({ n: 2 });
        const v3 = await sut.update(t, 'v', device({ n: 4 }), undefined, []);
        expect(v3).not.toBe(v2);
        expect((await sut.findById(t, 'v'))?.version).toBe(v3);
      });

      it('answers 404 for updates and deletes of unknown devices, also those of other tenants', async () => {
        const t = newTenant();
        const other = newTenant();
        const v = await sut.create(other, 'elsewhere', device(), {}, []);
        for (const id of ['none', 'elsewhere']) {
          await expect(sut.update(t, id, device(), undefined, [])).rejects.toBeInstanceOf(
            NotFoundError,
          );
          await expect(sut.update(t, id, device(), v, [])).rejects.toMatchObject({ status: 404 });
          await expect(sut.delete(t, id, undefined, [])).rejects.toMatchObject({ status: 404 });
          await expect(sut.delete(t, id, v, [])).rejects.toBeInstanceOf(NotFoundError);
        }
        expect((await sut.findById(other, 'elsewhere'))?.version).toBe(v);
      });
    });

    describe('markNotificationSent', () => {
      it('sets the flag only while the version matches, without changing the version', async () => {
        const t = newTenant();
        const v1 = await sut.create(t, 'm', device(), { autoProvisioned: true }, []);
        expect(await sut.markNotificationSent(t, 'm', 'stale')).toBe(false);
        expect(await sut.markNotificationSent(t, 'unknown', v1)).toBe(false);
        expect(await sut.markNotificationSent(newTenant(), 'm', v1)).toBe(false);
        expect((await sut.findById(t, 'm'))?.status.autoProvisioningNotificationSent).toBe(false);

        expect(await sut.markNotificationSent(t, 'm', v1)).toBe(true);
        const found = await sut.findById(t, 'm');
        expect(found?.version).toBe(v1);
        expect(found?.status).toMatchObject({
          autoProvisioned: true,
          autoProvisioningNotificationSent: true,
        });
        expect(found?.status.updated).toBeUndefined();
        // A user's If-Match write based on the version read before the flag was set still works.
        const v2 = await sut.update(t, 'm', device({ edited: true }), v1, []);
        expect((await sut.findById(t, 'm'))?.status.autoProvisioningNotificationSent).toBe(true);
        expect(await sut.markNotificationSent(t, 'm', v1)).toBe(false);
        expect(await sut.markNotificationSent(t, 'm', v2)).toBe(true);
      });

      it('answers false once the device is deleted', async () => {
        const t = newTenant();
        const v = await sut.create(t, 'gone', device(), { autoProvisioned: true }, []);
        await sut.delete(t, 'gone', v, [note(t, 'DELETE', 'gone')]);
        expect(await sut.markNotificationSent(t, 'gone', v)).toBe(false);
      });
    });

    describe('delete', () => {
      it('deletes with a version check', async () => {
        const t = newTenant();
        const v = await sut.create(t, 'd', device(), {}, []);
        await sut.create(t, 'keep', device(), {}, []);
        await expect(sut.delete(t, 'd', 'stale', [])).rejects.toMatchObject({ status: 412 });
        expect(await sut.count(t)).toBe(2);
        await sut.delete(t, 'd', v, []);
        expect(await sut.findById(t, 'd')).toBeUndefined();
        expect(await sut.count(t)).toBe(1);
        await expect(sut.delete(t, 'd', undefined, [])).rejects.toMatchObject({ status: 404 });
      });

      it('deletes without a version check', async () => {
        const t = newTenant();
        await sut.create(t, 'd', device(), {}, []);
        await sut.delete(t, 'd', undefined, []);
        expect(await sut.findById(t, 'd')).toBeUndefined();
      });

      it('deletes all devices of one tenant, leaving other tenants untouched', async () => {
        const t = newTenant();
        const other = newTenant();
        for (const id of ['a', 'b', 'c']) await sut.create(t, id, device(), {}, []);
        await sut.create(other, 'a', device({ other: true }), {}, []);
        expect(await sut.deleteAllOfTenant(t, [])).toBe(3);
        expect(await sut.count(t)).toBe(0);
        expect(await sut.findById(t, 'a')).toBeUndefined();
        expect((await sut.search(t, page({}))).total).toBe(0);
        expect(await sut.count(other)).toBe(1);
        expect((await sut.findById(other, 'a'))?.document).toEqual({ other: true });
        expect(await sut.deleteAllOfTenant(t, [])).toBe(0);
        // The ids are free again.
        await sut.create(t, 'a', device({ again: true }), {}, []);
        expect((await sut.findById(t, 'a'))?.document).toEqual({ again: true });
      });
    });

    it('counts the devices of one tenant', async () => {
      const t = newTenant();
      expect(await sut.count(t)).toBe(0);
      await sut.create(t, 'c1', device(), {}, []);
      await sut.create(t, 'c2', device(), { autoProvisioned: true }, []);
      await sut.create(newTenant(), 'c3', device(), {}, []);
      expect(await sut.count(t)).toBe(2);
    });

    describe('search', () => {
      it('filters with wildcards and typed values, sorts and pages within the tenant', async () => {
        const t = newTenant();
        for (const [id, brand, n, enabled] of [
          ['s1', 'acme-1', 3, true],
          ['s2', 'acme-2', 1, false],
          ['s3', 'bolt', 2, true],
        ] as const) {
          await sut.create(t, id, device({ enabled, ext: { brand, n } }), {}, []);
        }
        // A matching device of another tenant must never show up.
        await sut.create(
          newTenant(),
          's1',
          device({ enabled: true, ext: { brand: 'acme-1', n: 3 } }),
          {},
          [],
        );

        const all = await sut.search(t, page({ sort: [{ field: '/ext/n', direction: 'asc' }] }));
        expect(all.total).toBe(3);
        expect(all.result.map((d) => d.id)).toEqual(['s2', 's3', 's1']);
        expect(all.result[0]).toMatchObject({ tenantId: t, document: { enabled: false } });
        expect(all.result[0]?.status.created).toBeInstanceOf(Date);

        const wildcard = await sut.search(
          t,
          page({ filters: [{ field: '/ext/brand', value: 'acme-?', op: 'eq' }] }),
        );
        expect(wildcard.total).toBe(2);
        expect(wildcard.result.map((d) => d.id)).toEqual(['s1', 's2']);

        const star = await sut.search(
          t,
          page({ filters: [{ field: '/ext/brand', value: '*ol*', op: 'eq' }] }),
        );
        expect(star.result.map((d) => d.id)).toEqual(['s3']);

        const typed = await sut.search(
          t,
          page({ filters: [{ field: '/enabled', value: false, op: 'eq' }] }),
        );
        expect(typed.result.map((d) => d.id)).toEqual(['s2']);

        const number = await sut.search(
          t,
          page({
            filters: [
              { field: '/ext/n', value: 2, op: 'eq' },
              { field: '/enabled', value: true, op: 'eq' },
            ],
          }),
        );
        expect(number.result.map((d) => d.id)).toEqual(['s3']);

        const desc = await sut.search(
          t,
          page({ sort: [{ field: '/ext/brand', direction: 'desc' }], pageSize: 2, pageOffset: 1 }),
        );
        expect(desc.total).toBe(3);
        expect(desc.result.map((d) => d.id)).toEqual(['s2', 's1']);

        const onlyTotal = await sut.search(t, page({ pageSize: 0 }));
        expect(onlyTotal).toEqual({ total: 3, result: [] });

        const beyond = await sut.search(t, page({ pageOffset: 10 }));
        expect(beyond).toEqual({ total: 3, result: [] });
        const sortedBeyond = await sut.search(
          t,
          page({ sort: [{ field: '/ext/brand', direction: 'asc' }], pageOffset: 10 }),
        );
        expect(sortedBeyond).toEqual({ total: 3, result: [] });

        const none = await sut.search(
          t,
          page({ filters: [{ field: '/ext/brand', value: 'zzz*', op: 'eq' }] }),
        );
        expect(none).toEqual({ total: 0, result: [] });
        expect(await sut.search(newTenant(), page({}))).toEqual({ total: 0, result: [] });
      });

      it('orders by device id when no sort key is given', async () => {
        const t = newTenant();
        for (const id of ['b', 'c', 'a']) await sut.create(t, id, device(), {}, []);
        const found = await sut.search(t, page({}));
        expect(found.result.map((d) => d.id)).toEqual(['a', 'b', 'c']);
      });

      it('treats wildcard-looking characters of the store literally', async () => {
        const t = newTenant();
        await sut.create(t, 'lit', device({ ext: { code: '50%_a.b' } }), {}, []);
        await sut.create(t, 'lit2', device({ ext: { code: '50xya.b' } }), {}, []);
        const found = await sut.search(
          t,
          page({ filters: [{ field: '/ext/code', value: '50%_a.*', op: 'eq' }] }),
        );
        expect(found.result.map((d) => d.id)).toEqual(['lit']);
      });

      it('finds gateways (devices another device of the tenant lists in via) and non-gateways', async () => {
        const t = newTenant();
        const other = newTenant();
        await sut.create(t, 'gw1', device({ kind: 'gw' }, { memberOf: ['grp'] }), {}, []);
        await sut.create(t, 'gw2', device({ kind: 'gw' }), {}, []);
        await sut.create(t, 'gw3', device({ kind: 'gw' }), {}, []);
        await sut.create(t, 'd1', device({ kind: 'dev' }, { via: ['gw1'] }), {}, []);
        await sut.create(t, 'd2', device({ kind: 'dev' }, { via: ['gw1', 'gw2'] }), {}, []);
        await sut.create(t, 'd3', device({ kind: 'dev' }, { viaGroups: ['grp'] }), {}, []);
        // Listed by a device of another tenant only: not a gateway here.
        await sut.create(other, 'x', device(), {}, []);
        await sut.create(other, 'dx', device({}, { via: ['gw3', 'x'] }), {}, []);
        // A device may name a gateway that does not exist (yet); that adds nothing to the results.
        await sut.create(t, 'd4', device({ kind: 'dev' }, { via: ['missing'] }), {}, []);

        const gateways = await sut.search(t, page({}), { isGateway: true });
        expect(gateways.total).toBe(2);
        expect(gateways.result.map((d) => d.id)).toEqual(['gw1', 'gw2']);

        const devices = await sut.search(t, page({}), { isGateway: false });
        expect(devices.total).toBe(5);
        expect(devices.result.map((d) => d.id)).toEqual(['d1', 'd2', 'd3', 'd4', 'gw3']);

        const both = await sut.search(t, page({}), {});
        expect(both.total).toBe(7);

        // Combined with filters, sorting and paging.
        const paged = await sut.search(
          t,
          page({
            filters: [{ field: '/kind', value: 'd*', op: 'eq' }],
            sort: [{ field: '/kind', direction: 'asc' }],
            pageSize: 2,
            pageOffset: 1,
          }),
          { isGateway: false },
        );
        expect(paged.total).toBe(4);
        expect(paged.result.map((d) => d.id)).toEqual(['d2', 'd3']);
        const filteredGateways = await sut.search(
          t,
          page({ filters: [{ field: '/kind', value: 'dev', op: 'eq' }] }),
          { isGateway: true },
        );
        expect(filteredGateways).toEqual({ total: 0, result: [] });

        // Once no device lists gw2 any more, it is no gateway.
        await sut.delete(t, 'd2', undefined, [note(t, 'DELETE', 'd2')]);
        const after = await sut.search(t, page({}), { isGateway: true });
        expect(after.result.map((d) => d.id)).toEqual(['gw1']);
        await sut.update(t, 'd1', device({ kind: 'dev' }), undefined, []);
        expect(await sut.search(t, page({}), { isGateway: true })).toEqual({
          total: 0,
          result: [],
        });
        expect((await sut.search(t, page({}), { isGateway: false })).total).toBe(6);
      });
    });

    describe('findGroupMembers', () => {
      it('lists the devices of the tenant that are members of any of the groups', async () => {
        const t = newTenant();
        const other = newTenant();
        await sut.create(t, 'gw-b', device({}, { memberOf: ['g1', 'g2'] }), {}, []);
        await sut.create(t, 'gw-a', device({}, { memberOf: ['g2'] }), {}, []);
        await sut.create(t, 'gw-c', device({}, { memberOf: ['g3'] }), {}, []);
        await sut.create(t, 'dev', device({}, { viaGroups: ['g1'] }), {}, []);
        await sut.create(other, 'gw-x', device({}, { memberOf: ['g1'] }), {}, []);

        expect(await sut.findGroupMembers(t, ['g1'])).toEqual(['gw-b']);
        expect(await sut.findGroupMembers(t, ['g2', 'g1'])).toEqual(['gw-a', 'gw-b']);
        expect(await sut.findGroupMembers(t, ['g3', 'nope'])).toEqual(['gw-c']);
        expect(await sut.findGroupMembers(t, [])).toEqual([]);
        expect(await sut.findGroupMembers(t, ['nope'])).toEqual([]);

        // Leaving the group or being deleted ends the membership.
        await sut.update(t, 'gw-b', device({}, { memberOf: ['g2'] }), undefined, []);
        await sut.delete(t, 'gw-a', undefined, []);
        expect(await sut.findGroupMembers(t, ['g1', 'g2'])).toEqual(['gw-b']);
      });
    });

    describe('findUnnotified', () => {
      it('lists unnotified auto-provisioned devices across tenants, oldest first', async () => {
        const t = newTenant();
        const t2 = newTenant();
        // Apart by a few ms: MongoDB timestamps have millisecond precision.
        await sut.create(t, 'a1', device(), { autoProvisioned: true }, []);
        await sleep(5);
        await sut.create(t2, 'b1', device(), { autoProvisioned: true }, []);
        await sleep(5);
        await sut.create(t, 'a2', device(), { autoProvisioned: true }, []);
        await sut.create(t, 'manual', device(), {}, []);

        const all = (await sut.findUnnotified(10_000)).filter(
          (d) => d.tenantId === t || d.tenantId === t2,
        );
        expect(all.map((d) => `${d.tenantId === t ? 't' : 't2'}/${d.id}`)).toEqual([
          't/a1',
          't2/b1',
          't/a2',
        ]);
        expect(all[0]?.status).toMatchObject({
          autoProvisioned: true,
          autoProvisioningNotificationSent: false,
        });
        const created = all.map((d) => d.status.created.getTime());
        expect([...created].sort((x, y) => x - y)).toEqual(created);

        const v = (await sut.findById(t, 'a1'))?.version ?? '';
        expect(await sut.markNotificationSent(t, 'a1', v)).toBe(true);
        expect(await unnotifiedOf(t)).toEqual(['a2']);
        await sut.delete(t, 'a2', undefined, [note(t, 'DELETE', 'a2')]);
        expect(await unnotifiedOf(t)).toEqual([]);
        expect(await unnotifiedOf(t2)).toEqual(['b1']);
      });

      it('respects the limit', async () => {
        const t = newTenant();
        await sut.create(t, 'l1', device(), { autoProvisioned: true }, []);
        await sut.create(t, 'l2', device(), { autoProvisioned: true }, []);
        expect(await sut.findUnnotified(1)).toHaveLength(1);
        expect(await sut.findUnnotified(0)).toEqual([]);
      });

      it('keeps an update from resetting the flag (Hono JDBC resets it; we do not)', async () => {
        const t = newTenant();
        const v = await sut.create(t, 'k', device(), { autoProvisioned: true }, []);
        await sut.markNotificationSent(t, 'k', v);
        await sut.update(t, 'k', device({ edited: true }), undefined, []);
        expect(await unnotifiedOf(t)).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('stores outbox messages with the write and hands them to the relay until acknowledged', async () => {
        const t = newTenant();
        const v = await sut.create(t, 'ob', device(), { autoProvisioned: true }, [
          note(t, 'CREATE', 'ob'),
        ]);
        await sut.update(t, 'ob', device({ n: 1 }), undefined, [note(t, 'UPDATE', 'ob')]);
        // The status flag is no change a notification is stored for.
        await sut.markNotificationSent(t, 'ob', v);
        const pending = await pendingOf(t);
        expect(pending.map((m) => m.payload['change'])).toEqual(['CREATE', 'UPDATE']);
        expect(pending[0]).toMatchObject({
          topic: 'hono.notification.registry-device',
          key: 'ob',
          payload: { type: 'device-change-v1', 'device-id': 'ob' },
        });
        expect(pending[0]?.createdAt).toBeInstanceOf(Date);
        await sut.acknowledgeNotifications(pending.map((m) => m.id));
        expect(await pendingOf(t)).toEqual([]);
        // Acknowledging twice, or unknown ids, is harmless.
        await sut.acknowledgeNotifications(pending.map((m) => m.id));
        await sut.acknowledgeNotifications([randomUUID()]);
        await sut.acknowledgeNotifications([]);
        expect((await sut.findById(t, 'ob'))?.document).toEqual({ n: 1 });
      });

      it('stores no outbox message for a write that failed', async () => {
        const t = newTenant();
        const v = await sut.create(t, 'obf', device(), {}, []);
        const n = note(t, 'FAILED', 'obf');
        await expect(sut.create(t, 'obf', device(), {}, [n])).rejects.toMatchObject({
          status: 409,
        });
        await expect(sut.update(t, 'obf', device(), 'stale', [n])).rejects.toMatchObject({
          status: 412,
        });
        await expect(sut.update(t, 'none', device(), undefined, [n])).rejects.toMatchObject({
          status: 404,
        });
        await expect(sut.delete(t, 'obf', 'stale', [n])).rejects.toMatchObject({ status: 412 });
        await expect(sut.delete(t, 'none', undefined, [n])).rejects.toMatchObject({
          status: 404,
        });
        expect(await pendingOf(t)).toEqual([]);
        expect((await sut.findById(t, 'obf'))?.version).toBe(v);
      });

      it('keeps the delete notification pending after the device is gone, and lets the id be reused', async () => {
        const t = newTenant();
        const v = await sut.create(
          t,
          'obd',
          device({}, { via: ['gw'] }),
          { autoProvisioned: true },
          [],
        );
        await sut.create(t, 'gw', device(), {}, []);
        await sut.update(t, 'obd', device({ first: true }, { via: ['gw'] }), v, []);
        await sut.delete(t, 'obd', undefined, [note(t, 'DELETE', 'obd')]);
        expect(await sut.findById(t, 'obd')).toBeUndefined();
        expect(await sut.count(t)).toBe(1);
        expect((await sut.search(t, page({}))).result.map((d) => d.id)).toEqual(['gw']);
        expect((await sut.search(t, page({}), { isGateway: true })).total).toBe(0);
        expect(await unnotifiedOf(t)).toEqual([]);
        const pending = await pendingOf(t);
        expect(pending.map((m) => m.payload['change'])).toEqual(['DELETE']);

        // The id is free again, before and after the relay acknowledged, with a fresh status.
        await sut.create(t, 'obd', device({ again: true }), {}, [note(t, 'CREATE', 'obd')]);
        const again = await sut.findById(t, 'obd');
        expect(again).toMatchObject({
          document: { again: true },
          via: [],
          status: { autoProvisioned: false, autoProvisioningNotificationSent: true },
        });
        expect(again?.status.updated).toBeUndefined();
        expect((await pendingOf(t)).map((m) => m.payload['change'])).toEqual(['DELETE', 'CREATE']);
        await sut.acknowledgeNotifications(pending.map((m) => m.id));
        expect((await sut.findById(t, 'obd'))?.document).toEqual({ again: true });
        expect((await pendingOf(t)).map((m) => m.payload['change'])).toEqual(['CREATE']);

        await sut.delete(t, 'obd', undefined, [note(t, 'DELETE', 'obd')]);
        await sut.acknowledgeNotifications((await pendingOf(t)).map((m) => m.id));
        expect(await sut.findById(t, 'obd')).toBeUndefined();
        await sut.create(t, 'obd', device({ third: true }), {}, []);
        expect((await sut.findById(t, 'obd'))?.document).toEqual({ third: true });
      });

      it('keeps notifications of earlier writes when a device is deleted without one', async () => {
        const t = newTenant();
        await sut.create(t, 'early', device(), {}, [note(t, 'CREATE', 'early')]);
        await sut.delete(t, 'early', undefined, []);
        expect(await sut.findById(t, 'early')).toBeUndefined();
        expect((await pendingOf(t)).map((m) => m.payload['change'])).toEqual(['CREATE']);
      });

      it('stores the deleteAllOfTenant notification once, after the devices are gone', async () => {
        const t = newTenant();
        await sut.create(t, 'x1', device(), {}, [note(t, 'CREATE', 'x1')]);
        await sut.create(t, 'x2', device(), { autoProvisioned: true }, []);
        await sut.create(t, 'x3', device(), {}, []);
        await sleep(5); // MongoDB timestamps have millisecond precision
        const all: NewOutboxMessage = {
          topic: 'hono.notification.registry-device',
          key: t,
          payload: { type: 'all-devices-of-tenant-deleted-v1', 'tenant-id': t },
        };
        expect(await sut.deleteAllOfTenant(t, [all])).toBe(3);
        expect(await sut.count(t)).toBe(0);
        expect(await unnotifiedOf(t)).toEqual([]);
        const pending = await pendingOf(t);
        // The earlier CREATE is kept and comes first.
        expect(pending.map((m) => m.payload['type'])).toEqual([
          'device-change-v1',
          'all-devices-of-tenant-deleted-v1',
        ]);
        expect(pending[1]).toMatchObject({ topic: all.topic, key: t, payload: all.payload });

        // The ids are free before and after the acknowledgement.
        await sut.create(t, 'x1', device({ again: true }), {}, []);
        await sut.acknowledgeNotifications(pending.map((m) => m.id));
        expect(await pendingOf(t)).toEqual([]);
        await sut.create(t, 'x2', device(), {}, []);
        expect(await sut.count(t)).toBe(2);
        expect((await sut.findById(t, 'x1'))?.document).toEqual({ again: true });

        // Also stored when there was nothing to delete, and once per call.
        const empty = newTenant();
        const emptyAll = { ...all, key: empty, payload: { ...all.payload, 'tenant-id': empty } };
        expect(await sut.deleteAllOfTenant(empty, [emptyAll])).toBe(0);
        expect(await sut.deleteAllOfTenant(empty, [emptyAll])).toBe(0);
        const emptyPending = await pendingOf(empty);
        expect(emptyPending).toHaveLength(2);
        await sut.acknowledgeNotifications(emptyPending.map((m) => m.id));
        expect(await pendingOf(empty)).toEqual([]);
      });
    });
  });
}
