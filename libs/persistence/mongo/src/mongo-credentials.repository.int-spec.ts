import type { Db } from 'mongodb';

import type { CredentialKey, JsonObject, JsonValue } from '@tessera/persistence';
import { describeCredentialsRepositoryContract } from '@tessera/persistence-testing';
import { infraEnv, uniqueId } from '@tessera/testing';

import { Collections } from './indexes';
import { openMongo } from './mongo.connection';
import {
  MongoCredentialsRepository,
  type MongoCredentialsRepositoryOptions,
} from './mongo-credentials.repository';

const { mongodbUri } = infraEnv();

describeCredentialsRepositoryContract('MongoDB', async () => {
  const store = await openMongo({ uri: mongodbUri, database: uniqueId('contract') });
  return new MongoCredentialsRepository(store.db, () => store.close());
});

const psk = (authId: string): JsonObject => ({
  type: 'psk',
  'auth-id': authId,
  secrets: [{ key: 'c2VjcmV0' }],
});
const text = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : JSON.stringify(v));
const keyOf = (c: JsonObject): CredentialKey => ({
  type: text(c['type']),
  authId: text(c['auth-id']),
});
const keyId = (tenant: string, c: JsonObject): string =>
  JSON.stringify([tenant, c['type'], c['auth-id']]);

describe('MongoDB credentials store internals', () => {
  let db: Db;
  let close: () => Promise<void>;
  const open = (
    claimLeaseMs: number,
    more: MongoCredentialsRepositoryOptions = {},
  ): MongoCredentialsRepository =>
    new MongoCredentialsRepository(db, () => Promise.resolve(), { claimLeaseMs, ...more });
  const put = (
    repo: MongoCredentialsRepository,
    tenant: string,
    device: string,
    set: JsonObject[],
  ): Promise<string> => repo.replace(tenant, device, set, set.map(keyOf), undefined, []);
  const claims = (tenant: string): Promise<unknown[]> =>
    db
      .collection(Collections.credentialKeys)
      .find({ tenantId: tenant }, { projection: { _id: 0, key: 1, deviceId: 1 } })
      .sort({ key: 1 })
      .toArray();
  /** What a writer that crashed between claiming and writing its revision leaves behind. */
  const orphan = (tenant: string, device: string, c: JsonObject, age: number): Promise<unknown> =>
    db.collection(Collections.credentialKeys).insertOne({
      _id: `crashed-${device}` as never,
      key: keyId(tenant, c),
      tenantId: tenant,
      deviceId: device,
      claimedAt: new Date(Date.now() - age),
    });
  const revisions = (tenant: string): Promise<number> =>
    db.collection(Collections.credentials).countDocuments({ tenantId: tenant });

  beforeAll(async () => {
    const store = await openMongo({ uri: mongodbUri, database: uniqueId('internals') });
    db = store.db;
    close = () => store.close();
  });
  afterAll(async () => {
    await close();
  });

  it('leaves no claim and no revision behind after a 409', async () => {
    const t = uniqueId('t');
    const repo = open(30_000);
    await put(repo, t, 'a', [psk('taken')]);
    await expect(put(repo, t, 'b', [psk('aa'), psk('taken'), psk('zz')])).rejects.toMatchObject({
      status: 409,
    });
    expect(await claims(t)).toEqual([{ key: keyId(t, psk('taken')), deviceId: 'a' }]);
    expect(await revisions(t)).toBe(1);
  });

  it('keeps only the head once superseded revisions have no pending notifications', async () => {
    const t = uniqueId('t');
    const repo = open(30_000, { revisionRetentionMs: 0 });
    const note = { topic: 'x', key: t, payload: { change: 'UPDATE' } };
    await repo.replace(t, 'd', [psk('a')], [keyOf(psk('a'))], undefined, [note]);
    for (const n of ['b', 'c', 'd']) await put(repo, t, 'd', [psk(n)]);
    expect(await revisions(t)).toBe(2); // the head, and the first one with its notification
    const pending = (await repo.pendingNotifications(1000)).filter((m) => m.key === t);
    await repo.acknowledgeNotifications(pending.map((m) => m.id));
    expect(await revisions(t)).toBe(1);
    expect((await repo.findByDevice(t, 'd'))?.credentials).toEqual([psk('d')]);
  });

  it('ignores the orphan claim of a crashed writer and takes it over once the lease has passed', async () => {
    const t = uniqueId('t');
    await orphan(t, 'ghost', psk('o'), 0);
    const repo = open(60_000);
    expect(await repo.findByKey(t, keyOf(psk('o')))).toBeUndefined();
    // Young: the writer may still be about to write its revision.
    await expect(put(repo, t, 'd', [psk('o')])).rejects.toMatchObject({ status: 409 });
    const later = open(0);
    await put(later, t, 'd', [psk('o')]);
    expect((await later.findByKey(t, keyOf(psk('o'))))?.deviceId).toBe('d');
    expect(await claims(t)).toEqual([{ key: keyId(t, psk('o')), deviceId: 'd' }]);
    // The ghost got a fence revision (no credentials), so no stale write of it can land.
    expect(await later.findByDevice(t, 'ghost')).toBeUndefined();
  });

  it('takes over the claim of a key its device dropped without releasing it (crash after the write)', async () => {
    const t = uniqueId('t');
    const repo = open(0);
    await put(repo, t, 'a', [psk('x'), psk('y')]);
    // The state after a crash between writing [y] and deleting the claim of x.
    const head = await db
      .collection(Collections.credentials)
      .findOne({ tenantId: t, deviceId: 'a' }, { sort: { seq: -1 } });
    await db.collection(Collections.credentials).insertOne({
      ...head,
      _id: JSON.stringify([t, 'a', Number(head?.['seq']) + 1]) as never,
      seq: Number(head?.['seq']) + 1,
      credentials: JSON.stringify([psk('y')]),
      keyIds: [keyId(t, psk('y'))],
    });
    expect(await repo.findByKey(t, keyOf(psk('x')))).toBeUndefined();
    await put(repo, t, 'b', [psk('x')]);
    expect((await repo.findByKey(t, keyOf(psk('x'))))?.deviceId).toBe('b');
    expect((await repo.findByKey(t, keyOf(psk('y'))))?.deviceId).toBe('a');
  });

  it('keeps heads and claims consistent under random concurrent writes and deletes (no lease)', async () => {
    const t = uniqueId('t');
    // Every contender treats every claim it meets as a possible orphan: safety rests on fencing.
    const repo = open(0, { revisionRetentionMs: 0 });
    const devices = ['a', 'b', 'c', 'd', 'e'];
    let wins = 0;
    for (let round = 0; round < 15; round++) {
      const ops = devices.flatMap((d) =>
        [0, 1].map((n) => {
          if ((round + n) % 7 === 6) return repo.deleteForDevice(t, d, []);
          const set = [...new Set([round, round + n, round * n].map((k) => `k${String(k % 4)}`))]
            .slice(0, 1 + ((round + d.charCodeAt(0)) % 3))
            .map(psk);
          return put(repo, t, d, set);
        }),
      );
      for (const r of await Promise.allSettled(ops)) {
        if (r.status === 'fulfilled') wins++;
        else expect([409, 503]).toContain((r.reason as { status: number }).status);
      }
      const listedBy = new Map<string, string>();
      for (const d of devices) {
        for (const c of (await repo.findByDevice(t, d))?.credentials ?? []) {
          const authId = text(c['auth-id']);
          expect(listedBy.get(authId)).toBeUndefined(); // no key in two sets
          listedBy.set(authId, d);
          expect((await repo.findByKey(t, keyOf(c)))?.deviceId).toBe(d);
        }
      }
      // No claim left behind by a finished write: each names a device whose set lists the key.
      const left = (await claims(t)) as { key: string; deviceId: string }[];
      expect(left.map((c) => [(JSON.parse(c.key) as string[])[2], c.deviceId])).toEqual(
        [...listedBy.entries()].sort(([x], [y]) => (x < y ? -1 : 1)),
      );
    }
    expect(wins).toBeGreaterThan(0);
  });

  it('finishes an interrupted deleteAllOfTenant from the relay poll, publishing its notification', async () => {
    const t = uniqueId('t');
    const repo = open(30_000, { deleteAllRecoveryAfterMs: 0 });
    await put(repo, t, 'd', [psk('gone')]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The state after a crash right after recording the intent.
    await db.collection(Collections.credentials).insertOne({
      _id: `delete-all:${t}` as never,
      markerOf: t,
      intentAt: new Date(),
      intent: [
        { id: `n-${t}`, topic: 'x', key: t, payload: { change: 'ALL' }, createdAt: new Date() },
      ],
      outbox: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await put(repo, t, 'late', [psk('late')]); // written after the intent: not its business
    const pending = (await repo.pendingNotifications(1000)).filter((m) => m.key === t);
    expect(pending.map((m) => m.id)).toEqual([`n-${t}`]);
    expect(await repo.findByDevice(t, 'd')).toBeUndefined();
    expect(await repo.findByKey(t, keyOf(psk('gone')))).toBeUndefined();
    expect((await repo.findByKey(t, keyOf(psk('late'))))?.deviceId).toBe('late');
    expect((await repo.pendingNotifications(1000)).filter((m) => m.key === t)).toHaveLength(1);
    await repo.acknowledgeNotifications([`n-${t}`]);
    expect((await repo.pendingNotifications(1000)).filter((m) => m.key === t)).toEqual([]);
  });

  it('stores the set as JSON text, since FerretDB 1.x rejects nested arrays and dotted keys', async () => {
    const t = uniqueId('t');
    const repo = open(30_000);
    const set = [{ ...psk('j'), ext: { 'a.b': [[1], [2]], $c: null } }];
    await put(repo, t, 'd', set);
    expect((await repo.findByDevice(t, 'd'))?.credentials).toEqual(set);
    const raw = await db.collection(Collections.credentials).findOne({ tenantId: t });
    expect(typeof raw?.['credentials']).toBe('string');
  });
});
