import { randomUUID } from 'node:crypto';

import type { Collection, Db } from 'mongodb';

import {
  type CredentialKey,
  CredentialsRepository,
  type JsonObject,
  type NewOutboxMessage,
  type OutboxMessage,
  PersistenceErrors,
  type StoredCredentials,
} from '@tessera/persistence';
import { ServerError } from '@tessera/registry-api';

import { Collections } from './indexes';
import { translateMongoError } from './mongo-error.translator';
import {
  type EmbeddedOutboxEntry,
  MongoOutbox,
  outboxEntries,
  type WithOutbox,
} from './mongo-outbox';

/**
 * One immutable revision of a device's credentials; the one with the highest `seq` is the current
 * one (the head). `_id` is `JSON.stringify([tenant, device, seq])`, so writing revision n+1 is an
 * insert that only one writer can win: the compare-and-set. Only its `outbox` ever changes.
 */
interface RevisionDocument extends WithOutbox {
  _id: string;
  tenantId: string;
  deviceId: string;
  seq: number;
  /** Unique per revision (a fence copy keeps `version` but gets its own `rev`). */
  rev: string;
  /** `rev` of the head this revision was written over ('' for the first). */
  parentRev: string;
  version: string;
  /** The device has no credentials (deleted, or a fence written for a device without any). */
  removed: boolean;
  /**
   * The set as JSON text: FerretDB 1.x rejects nested arrays and keys containing '.' or starting
   * with '$', all legal in Hono's free-form `ext`; the store never queries inside the set.
   */
  credentials: string;
  /** Ids of the keys this set holds; a key's claim is valid only while the head lists it. */
  keyIds: string[];
  /** Time of the last user write (a fence copy keeps it). */
  updatedAt: Date;
  /** The creation time of the device incarnation the set was written for (a fence copy keeps it). */
  deviceCreated?: Date;
  createdAt: Date;
}

/**
 * A claim of a (tenant, type, auth-id) by a device. `key` is unique (scalar unique index). `_id` is
 * random and never reused, so deleting by `_id` removes exactly the claim that was judged: a
 * conditional delete on other fields would not be atomic on FerretDB 1.x. Claims are never updated.
 */
interface KeyClaim {
  _id: string;
  key: string;
  tenantId: string;
  deviceId: string;
  claimedAt: Date;
}

/**
 * A `deleteAllOfTenant` with notifications, in the credentials collection (it has no `tenantId`,
 * so no revision query matches it). While `intentAt` is set, the notifications wait in `intent`,
 * invisible to the relay; completion moves them to `outbox` and marks it for the outbox's sweep.
 */
interface DeleteAllMarker extends WithOutbox {
  _id: string;
  markerOf: string;
  intentAt?: Date;
  intent?: EmbeddedOutboxEntry[];
}

/** A write lost a race it can safely repeat (a newer revision, or a concurrent write of the device). */
class Retry extends Error {}

const revisionId = (tenantId: string, deviceId: string, seq: number): string =>
  JSON.stringify([tenantId, deviceId, seq]);
const keyId = (tenantId: string, k: CredentialKey): string =>
  JSON.stringify([tenantId, k.type, k.authId]);
const MAX_ATTEMPTS = 8;

const isDuplicateKey = (e: unknown): boolean => (e as { code?: unknown }).code === 11000;
const pause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt * 4, 200)));
const contention = (): ServerError =>
  new ServerError(503, 'STORE.CONTENTION', 'concurrent update, try again', { retryable: true });
const keyTaken = (key: CredentialKey): Error =>
  PersistenceErrors.duplicate('credentials', `of type '${key.type}' with auth-id '${key.authId}'`);
/** The fields of a revision saying that the device has no credentials. */
const removedRevision = (
  tenantId: string,
  deviceId: string,
  parentRev: string,
  now: Date,
): Pick<
  RevisionDocument,
  | 'tenantId'
  | 'deviceId'
  | 'parentRev'
  | 'version'
  | 'removed'
  | 'credentials'
  | 'keyIds'
  | 'updatedAt'
> => ({
  tenantId,
  deviceId,
  parentRev,
  version: '',
  removed: true,
  credentials: '[]',
  keyIds: [],
  updatedAt: now,
});
const isLive = (r: RevisionDocument | undefined): r is RevisionDocument =>
  r !== undefined && !r.removed;

function toDomain(r: RevisionDocument): StoredCredentials {
  return {
    tenantId: r.tenantId,
    deviceId: r.deviceId,
    version: r.version,
    credentials: JSON.parse(r.credentials) as JsonObject[],
    ...(r.deviceCreated instanceof Date && { deviceCreated: r.deviceCreated }),
  };
}

/** Options of {@link MongoCredentialsRepository}. */
export interface MongoCredentialsRepositoryOptions {
  /**
   * How long a claim that its device's head does not list counts as in flight (409, or a retry for
   * the same device); only older ones are taken over as orphans. Liveness only: safety needs no
   * clock. Default 30 s.
   */
  readonly claimLeaseMs?: number;
  /** How old an unfinished `deleteAllOfTenant` must be before the relay's poll finishes it. Default 60 s. */
  readonly deleteAllRecoveryAfterMs?: number;
  /**
   * How long a superseded revision is kept at least (it is deleted at a later write or
   * acknowledgement of the device, once its notifications are acknowledged). Must exceed the time
   * between a revision's insert and its writer's stale check (see `insertRevision`), i.e.
   * milliseconds. Default 10 s.
   */
  readonly revisionRetentionMs?: number;
}

/**
 * Credentials in MongoDB for FerretDB 1.x, which has no multi-document transactions, no reliable
 * unique index on arrays, and (SQLite backend, FerretDB#3040) no atomic update: a filtered update
 * reads, then writes by `_id`, so concurrent compare-and-set updates all "succeed". This store
 * therefore relies only on what is atomic there: an insert against a unique index, a delete by `_id`.
 *
 * Invariant: the head of a device lists a key only while that key's claim names the device.
 *
 * `replace`: (1) read the head (seq n); (2) claim each key it does not list: insert a claim; if
 * another device's head lists the key: 409; if the claim is younger than the lease: 409 (another
 * device) or retry (this device: a concurrent write); otherwise take the orphan over by the removal
 * rule and insert again; (3) observe the claims of keys being dropped; (4) insert revision n+1
 * (new set, version and outbox entries in one document); (5) delete the claims from (3). If (2) or
 * (4) fails, the claims inserted in (2) are deleted, and a lost (4) is retried from (1).
 *
 * Removal rule (takeover, release, delete): observe the claim; fence its device by inserting a
 * revision n+1 that copies the head (or a `removed` one); re-read the head; only if it does not
 * list the key, delete the observed claim by `_id`. Why this needs no clock: a writer that would
 * list the key either read a head listing it (then, if that read preceded the fence, its insert of
 * n+1 collides; if it followed, our re-read would have seen the key, or the key was re-claimed by a
 * new claim), or inserted the observed claim itself, before we observed it, hence read before our
 * fence, and its insert collides. A device's own write is the fence for the keys it drops (3-5).
 *
 * Old revisions are deleted once superseded for the retention time and their outbox is
 * acknowledged. A writer with a stale read may then re-insert a freed seq; such a revision is never
 * the head (a higher seq exists: heads are never deleted), and its writer, checking right after
 * the insert that the revision above it (if any) names it as parent, finds that and deletes it.
 *
 * Crashes: after (2), or after (4) before (5), claims are left that no head lists. They are orphans:
 * `findByKey` ignores them (it checks the head), and the next claimant takes them over once the
 * lease has passed. (4) is one atomic insert, so a set and its notifications are never torn. Heads
 * are kept, also of deleted devices (one small `removed` document each), so no stale write can
 * succeed after the history is gone.
 */
export class MongoCredentialsRepository extends CredentialsRepository {
  private readonly revisions: Collection<RevisionDocument>;
  private readonly markers: Collection<DeleteAllMarker>;
  private readonly claims: Collection<KeyClaim>;
  private readonly outbox: MongoOutbox<RevisionDocument>;
  private readonly leaseMs: number;
  private readonly recoveryAfterMs: number;
  private readonly retentionMs: number;

  constructor(
    db: Db,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
    options: MongoCredentialsRepositoryOptions = {},
  ) {
    super();
    this.revisions = db.collection<RevisionDocument>(Collections.credentials);
    this.markers = db.collection<DeleteAllMarker>(Collections.credentials);
    this.claims = db.collection<KeyClaim>(Collections.credentialKeys);
    // Quiet time 0: a revision is never updated except for the outbox pruning itself, so there is
    // no user write that pruning could race with, and superseded revisions can go at once.
    this.outbox = new MongoOutbox(this.revisions, db, 0);
    this.leaseMs = options.claimLeaseMs ?? 30_000;
    this.recoveryAfterMs = options.deleteAllRecoveryAfterMs ?? 60_000;
    this.retentionMs = options.revisionRetentionMs ?? 10_000;
  }

  async replace(
    tenantId: string,
    deviceId: string,
    credentials: readonly JsonObject[],
    keys: readonly CredentialKey[],
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
    deviceCreated?: Date,
  ): Promise<string> {
    // Distinct and in one order for every writer: two writers racing for overlapping sets meet on
    // the same first contested key, so one of them gets all of it.
    const wanted = [...new Map(keys.map((k) => [keyId(tenantId, k), k])).entries()].sort(
      ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
    );
    const wantedIds = wanted.map(([id]) => id);
    const json = JSON.stringify(credentials);
    const entries = outboxEntries(outbox);
    return this.run(async () => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const head = await this.head(tenantId, deviceId);
        if (expectedVersion !== undefined && (!isLive(head) || head.version !== expectedVersion)) {
          throw PersistenceErrors.versionMismatch('credentials', deviceId);
        }
        const held = isLive(head) ? head.keyIds : [];
        const claimed: KeyClaim[] = [];
        try {
          for (const [id, key] of wanted) {
            if (!held.includes(id)) claimed.push(await this.claim(tenantId, deviceId, id, key));
          }
        } catch (e) {
          await this.deleteClaims(claimed);
          if (!(e instanceof Retry)) throw e;
          await pause(attempt);
          continue;
        }
        const dropped = held.filter((id) => !wantedIds.includes(id));
        const toRelease =
          dropped.length === 0
            ? []
            : await this.claims.find({ tenantId, deviceId, key: { $in: dropped } }).toArray();
        const version = randomUUID();
        const seq = (head?.seq ?? 0) + 1;
        const now = new Date();
        const won = await this.insertRevision({
          _id: revisionId(tenantId, deviceId, seq),
          tenantId,
          deviceId,
          seq,
          rev: randomUUID(),
          parentRev: head?.rev ?? '',
          version,
          removed: false,
          credentials: json,
          keyIds: wantedIds,
          updatedAt: now,
          createdAt: now,
          ...(deviceCreated !== undefined && { deviceCreated }),
          outbox: entries,
        });
        if (!won) {
          await this.deleteClaims(claimed);
          await pause(attempt);
          continue;
        }
        try {
          await this.deleteClaims(toRelease);
          await this.collectGarbage(tenantId, deviceId);
        } catch {
          // The write is done; a claim left behind is an orphan the next claimant takes over.
        }
        return version;
      }
      throw contention();
    });
  }

  async findByDevice(tenantId: string, deviceId: string): Promise<StoredCredentials | undefined> {
    const head = await this.run(() => this.head(tenantId, deviceId));
    return isLive(head) ? toDomain(head) : undefined;
  }

  async findByKey(tenantId: string, key: CredentialKey): Promise<StoredCredentials | undefined> {
    const id = keyId(tenantId, key);
    return this.run(async () => {
      const claim = await this.claims.findOne({ key: id });
      if (!claim) return undefined;
      // Only a head that lists the key holds it; otherwise the claim is in flight or an orphan.
      const head = await this.head(tenantId, claim.deviceId);
      return isLive(head) && head.keyIds.includes(id) ? toDomain(head) : undefined;
    });
  }

  async deleteForDevice(
    tenantId: string,
    deviceId: string,
    outbox: readonly NewOutboxMessage[],
    expectedVersion?: string,
  ): Promise<void> {
    await this.run(() =>
      this.removeDevice(tenantId, deviceId, outboxEntries(outbox), undefined, expectedVersion),
    );
  }

  async deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<void> {
    const entries = outboxEntries(outbox);
    await this.run(async () => {
      if (entries.length === 0) {
        await this.purge(tenantId);
        return;
      }
      // Roll forward: the notifications wait (invisible to the relay) until every set is gone, so
      // they are neither lost nor early; `pendingNotifications` finishes an interrupted call.
      const marker = `delete-all:${randomUUID()}`;
      await this.markers.insertOne({
        _id: marker,
        markerOf: tenantId,
        intentAt: new Date(),
        intent: entries,
        outbox: [],
      });
      await this.purge(tenantId);
      await this.complete(marker, entries);
    });
  }

  async pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    return this.run(async () => {
      await this.recoverInterruptedDeletes();
      return this.outbox.pending(limit);
    });
  }

  async acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.run(async () => {
      const holding = await this.revisions
        .find({ 'outbox.id': { $in: [...ids] }, seq: { $exists: true } })
        .toArray();
      await this.outbox.acknowledge(ids);
      // Superseded revisions are kept only for their notifications (and the retention time).
      const devices = new Map(holding.map((r) => [JSON.stringify([r.tenantId, r.deviceId]), r]));
      for (const r of devices.values()) await this.collectGarbage(r.tenantId, r.deviceId);
    });
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /** The revision with the highest seq. */
  private async head(tenantId: string, deviceId: string): Promise<RevisionDocument | undefined> {
    const [head] = await this.revisions
      .find({ tenantId, deviceId })
      .sort({ seq: -1 })
      .limit(1)
      .toArray();
    return head;
  }

  /**
   * Inserts a revision over the head it was computed from; false if that was no longer the head.
   * Either its seq is taken (the insert fails), or the seq had been freed by the garbage collection
   * and the writer's read is stale: a revision above it then exists that is not built on it (one
   * built on it was written after it, and is not collected before the retention time).
   */
  private async insertRevision(revision: RevisionDocument): Promise<boolean> {
    try {
      await this.revisions.insertOne(revision);
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
    const [above] = await this.revisions
      .find({
        tenantId: revision.tenantId,
        deviceId: revision.deviceId,
        seq: { $gt: revision.seq },
      })
      .sort({ seq: 1 })
      .limit(1)
      .toArray();
    if (!above || (above.seq === revision.seq + 1 && above.parentRev === revision.rev)) return true;
    // Stale: never the head (a higher seq exists), so nobody read or copied it.
    await this.revisions.deleteOne({ _id: revision._id });
    return false;
  }

  /** Makes every write of the device that read its head before now fail (removal rule). */
  private async fence(tenantId: string, deviceId: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const head = await this.head(tenantId, deviceId);
      const seq = (head?.seq ?? 0) + 1;
      const now = new Date();
      const at = {
        _id: revisionId(tenantId, deviceId, seq),
        seq,
        rev: randomUUID(),
        createdAt: now,
      };
      const copy: RevisionDocument = head
        ? { ...head, ...at, parentRev: head.rev, outbox: [] }
        : { ...at, ...removedRevision(tenantId, deviceId, '', now), outbox: [] };
      if (await this.insertRevision(copy)) {
        await this.collectGarbage(tenantId, deviceId);
        return;
      }
      await pause(attempt);
    }
    throw contention();
  }

  /** Inserts a claim of `id` for the device; 409 if another device holds it or may be about to. */
  private async claim(
    tenantId: string,
    deviceId: string,
    id: string,
    key: CredentialKey,
  ): Promise<KeyClaim> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const claim: KeyClaim = {
        _id: randomUUID(),
        key: id,
        tenantId,
        deviceId,
        claimedAt: new Date(),
      };
      try {
        await this.claims.insertOne(claim);
        return claim;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      const owner = await this.claims.findOne({ key: id });
      if (!owner) continue; // released meanwhile
      // Our own device: a concurrent write of it is adding the key too; whichever wins, retry.
      const refuse = (): Error => (owner.deviceId === deviceId ? new Retry() : keyTaken(key));
      if (await this.holds(tenantId, owner.deviceId, id)) throw refuse();
      // Possibly a write between its claim and its revision: not ours to judge yet.
      if (Date.now() - owner.claimedAt.getTime() < this.leaseMs) throw refuse();
      await this.fence(tenantId, owner.deviceId);
      if (await this.holds(tenantId, owner.deviceId, id)) throw refuse();
      await this.claims.deleteOne({ _id: owner._id });
    }
    throw new Retry();
  }

  private async deleteClaims(claims: readonly KeyClaim[]): Promise<void> {
    if (claims.length === 0) return;
    await this.claims.deleteMany({ _id: { $in: claims.map((c) => c._id) } });
  }

  private async holds(tenantId: string, deviceId: string, id: string): Promise<boolean> {
    const head = await this.head(tenantId, deviceId);
    return isLive(head) && head.keyIds.includes(id);
  }

  /**
   * Writes a `removed` head carrying `entries` and deletes the device's claims observed between
   * reading the head it replaces and writing it (the write is their fence). With `upTo`, a set
   * written later is left alone (recovery); with `version`, any set but a live one of that version
   * (the insert over the head read is the compare-and-set).
   */
  private async removeDevice(
    tenantId: string,
    deviceId: string,
    entries: EmbeddedOutboxEntry[],
    upTo?: Date,
    version?: string,
  ): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const head = await this.head(tenantId, deviceId);
      if (upTo !== undefined && isLive(head) && head.updatedAt > upTo) return;
      if (version !== undefined && (!isLive(head) || head.version !== version)) return;
      // After reading the head (so its keys' claims are seen), before the write that fences them.
      const observed = await this.claims.find({ tenantId, deviceId }).toArray();
      if (!isLive(head) && observed.length === 0 && entries.length === 0) return;
      const seq = (head?.seq ?? 0) + 1;
      const now = new Date();
      const won = await this.insertRevision({
        _id: revisionId(tenantId, deviceId, seq),
        seq,
        rev: randomUUID(),
        createdAt: now,
        ...removedRevision(tenantId, deviceId, head?.rev ?? '', now),
        outbox: entries,
      });
      if (won) {
        await this.deleteClaims(observed);
        await this.collectGarbage(tenantId, deviceId);
        return;
      }
      await pause(attempt);
    }
    throw contention();
  }

  /** Removes the sets of every device of the tenant (written up to `upTo`, if given). */
  private async purge(tenantId: string, upTo?: Date): Promise<void> {
    const devices = new Set([
      ...(await this.revisions.distinct('deviceId', { tenantId })),
      ...(await this.claims.distinct('deviceId', { tenantId })),
    ]);
    for (const deviceId of devices) {
      if (typeof deviceId === 'string') await this.removeDevice(tenantId, deviceId, [], upTo);
    }
  }

  /** Hands a `deleteAllOfTenant`'s notifications to the relay. */
  private async complete(marker: string, entries: EmbeddedOutboxEntry[]): Promise<void> {
    // Not atomic on FerretDB 1.x: two completers may both publish; at least once is the contract.
    await this.markers.updateOne(
      { _id: marker, intentAt: { $exists: true } },
      { $set: { outbox: entries, deleted: true }, $unset: { intentAt: '', intent: '' } },
    );
  }

  private async recoverInterruptedDeletes(): Promise<void> {
    const stale = await this.markers
      .find({ intentAt: { $lte: new Date(Date.now() - this.recoveryAfterMs) } })
      .toArray();
    for (const m of stale) {
      if (!m.intentAt || !m.intent) continue;
      // Sets written after the interrupted call are not its business.
      await this.purge(m.markerOf, m.intentAt);
      await this.complete(m._id, m.intent);
    }
  }

  /**
   * Deletes revisions superseded longer than the retention time whose notifications are all
   * acknowledged. Never the head (it has nothing above it).
   */
  private async collectGarbage(tenantId: string, deviceId: string): Promise<void> {
    const all = await this.revisions
      .find({ tenantId, deviceId }, { projection: { _id: 1, seq: 1, createdAt: 1, outbox: 1 } })
      .sort({ seq: 1 })
      .toArray();
    const cutoff = Date.now() - this.retentionMs;
    for (let i = 0; i + 1 < all.length; i++) {
      const [r, next] = [all[i], all[i + 1]];
      if (r?.outbox.length === 0 && next && next.createdAt.getTime() <= cutoff) {
        await this.revisions.deleteOne({ _id: r._id, outbox: { $size: 0 } });
      }
    }
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translateMongoError(e, 'credentials');
    }
  }
}
