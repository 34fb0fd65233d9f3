import type { Collection, Db } from 'mongodb';

import type { NewOutboxMessage } from '@tessera/persistence';
import { describeDeviceRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, uniqueId } from '@tessera/testing';

import { Collections } from './indexes';
import { openMongo } from './mongo.connection';
import { MongoDeviceRepository } from './mongo-device.repository';

const { mongodbUri } = infraEnv();

describeDeviceRepositoryContract('MongoDB', async () => {
  const store = await openMongo({ uri: mongodbUri, database: uniqueId('contract') });
  return new MongoDeviceRepository(store.db, () => store.close());
});

const device = {
  document: { enabled: true },
  via: [],
  viaGroups: [],
  memberOf: [],
};

/** `db` whose collections fail `updateMany` while `faults.updateMany` is set (a crash stand-in). */
function withFaults(db: Db, faults: { updateMany: boolean }): Db {
  const forward = (target: object, prop: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, prop);
    return typeof value === 'function'
      ? (value as (...args: unknown[]) => unknown).bind(target)
      : value;
  };
  return new Proxy(db, {
    get: (target, prop) =>
      prop === 'collection'
        ? (name: string): Collection =>
            new Proxy(target.collection(name), {
              get: (collection, p) =>
                p === 'updateMany' && faults.updateMany
                  ? () => Promise.reject(new Error('simulated crash'))
                  : forward(collection, p),
            })
        : forward(target, prop),
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('MongoDB devices', () => {
  it('keep ids unique per tenant through the object _id, with the expected indexes', async () => {
    const store = await openMongo({ uri: mongodbUri, database: uniqueId('idx') });
    try {
      const devices = store.db.collection(Collections.devices);
      await devices.insertOne({ _id: { t: 'a', d: 'x' } as never });
      await expect(devices.insertOne({ _id: { t: 'a', d: 'x' } as never })).rejects.toMatchObject({
        code: 11000,
      });
      await devices.insertOne({ _id: { t: 'b', d: 'x' } as never });
      const names = (await devices.listIndexes().toArray()).map((i) =>
        String((i as { name?: unknown }).name),
      );
      expect(names).toEqual(
        expect.arrayContaining([
          '_id_',
          'device_tenant_via',
          'device_unnotified',
          'device_delete_all_intents',
        ]),
      );
    } finally {
      await store.close();
    }
  });

  it('finish a deleteAllOfTenant interrupted after its intent: once, only when stale, sparing newer devices', async () => {
    const store = await openMongo({ uri: mongodbUri, database: uniqueId('crash') });
    const faults = { updateMany: false };
    const writer = new MongoDeviceRepository(withFaults(store.db, faults));
    const relay = new MongoDeviceRepository(store.db, () => store.close(), {
      deleteAllRecoveryAfterMs: 0,
      outboxQuietMs: 0,
    });
    const t = 'tenant-crash';
    const all: NewOutboxMessage = {
      topic: 'hono.notification.registry-device',
      key: t,
      payload: { type: 'all-devices-of-tenant-deleted-v1', 'tenant-id': t },
    };
    try {
      await writer.create(t, 'old-1', device, {}, []);
      await writer.create(t, 'old-2', device, { autoProvisioned: true }, []);
      await writer.create('other', 'old-1', device, {}, []);

      faults.updateMany = true;
      await expect(writer.deleteAllOfTenant(t, [all])).rejects.toThrow('simulated crash');
      faults.updateMany = false;
      // Nothing visible yet: the devices are there and the notification is not published.
      expect(await writer.count(t)).toBe(2);
      expect(await writer.pendingNotifications(100)).toEqual([]); // young intent: left alone
      await sleep(5);
      await writer.create(t, 'newer', device, {}, []);

      // The relay's poll rolls the operation forward.
      const pending = await relay.pendingNotifications(100);
      expect(pending.map((m) => m.payload)).toEqual([all.payload]);
      expect(await relay.findById(t, 'old-1')).toBeUndefined();
      expect(await relay.findById(t, 'old-2')).toBeUndefined();
      expect((await relay.findById(t, 'newer'))?.id).toBe('newer');
      expect(await relay.count('other')).toBe(1);
      expect((await relay.findUnnotified(100)).filter((d) => d.tenantId === t)).toEqual([]);

      // Once: polling again neither repeats nor duplicates it.
      expect((await relay.pendingNotifications(100)).map((m) => m.id)).toEqual(
        pending.map((m) => m.id),
      );
      await relay.acknowledgeNotifications(pending.map((m) => m.id));
      expect(await relay.pendingNotifications(100)).toEqual([]);
      // Only the two live devices remain: no tombstone, no marker.
      expect(await store.db.collection(Collections.devices).countDocuments({})).toBe(2);
    } finally {
      await relay.close();
    }
  });
});
