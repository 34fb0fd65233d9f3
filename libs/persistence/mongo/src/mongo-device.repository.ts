import { randomUUID } from 'node:crypto';

import type { Collection, Db, Filter } from 'mongodb';

import {
  type CreateDeviceOptions,
  DeviceRepository,
  type DeviceSearchOptions,
  type DeviceWrite,
  type JsonObject,
  type NewOutboxMessage,
  type OutboxMessage,
  type Page,
  PersistenceErrors,
  type SearchQuery,
  type StoredDevice,
} from '@tessera/persistence';

import { Collections } from './indexes';
import { translateMongoError } from './mongo-error.translator';
import {
  type EmbeddedOutboxEntry,
  live,
  MongoOutbox,
  outboxEntries,
  type WithOutbox,
} from './mongo-outbox';
import { fromMongoDocument, toMongoDocument } from './mongo-json.codec';
import { buildMongoSearch } from './mongo-search';

/**
 * `_id` of a device. An object rather than a joined string, so no separator has to be reserved in
 * tenant or device ids; always built by {@link deviceKey} because embedded documents compare
 * field by field, in order (`{d, t}` would be a different key). The `_id` index makes
 * (tenant, device) unique, which FerretDB 1.x enforces for object ids too.
 */
interface DeviceKey {
  t: string;
  d: string;
}
const deviceKey = (tenantId: string, id: string): DeviceKey => ({ t: tenantId, d: id });

/** The stored shape of a device; never leaves this lib. */
interface DeviceDocument extends WithOutbox {
  _id: DeviceKey;
  tenantId: string;
  deviceId: string;
  version: string;
  document: JsonObject;
  via: string[];
  viaGroups: string[];
  memberOf: string[];
  createdAt: Date;
  /** Absent until the first update (never stored as null: FerretDB 1.x drops nulls on upsert). */
  updatedAt?: Date;
  autoProvisioned: boolean;
  notificationSent: boolean;
}

const ALL_DELETED = 'all-deleted';

/** A `deleteAllOfTenant` that has started: its notifications wait here until the devices are gone. */
interface DeleteAllIntent {
  at: Date;
  entries: EmbeddedOutboxEntry[];
}

/**
 * One per tenant, in the devices collection, holding the `deleteAllOfTenant` notifications. It has
 * no `tenantId`, `deviceId` or `autoProvisioned` field, so no device query ever matches it; its
 * `outbox` is read and acknowledged by the same {@link MongoOutbox} as the devices'.
 */
interface DeleteAllMarker {
  _id: { t: string; m: typeof ALL_DELETED };
  marker: typeof ALL_DELETED;
  markerOf: string;
  /** Started operations by id; keyed so that completion is a conditional `$unset` (no `$pull`). */
  intents?: Record<string, DeleteAllIntent>;
  intentCount?: number;
  outbox?: EmbeddedOutboxEntry[];
}
const markerKey = (tenantId: string): DeleteAllMarker['_id'] => ({ t: tenantId, m: ALL_DELETED });

/** What a deleted device keeps while its notifications are pending: nothing searchable. */
const TOMBSTONE = { deleted: true, document: {}, via: [], viaGroups: [], memberOf: [] };

function toDomain(d: DeviceDocument): StoredDevice {
  return {
    tenantId: d.tenantId,
    id: d.deviceId,
    version: d.version,
    document: fromMongoDocument(d.document),
    status: {
      created: d.createdAt,
      updated: d.updatedAt ?? undefined,
      autoProvisioned: d.autoProvisioned,
      autoProvisioningNotificationSent: d.notificationSent,
    },
    via: d.via,
    viaGroups: d.viaGroups,
    memberOf: d.memberOf,
  };
}

const isDuplicateKey = (e: unknown): boolean => (e as { code?: unknown }).code === 11000;

/** Options of {@link MongoDeviceRepository}. */
export interface MongoDeviceRepositoryOptions {
  /**
   * How old an unfinished `deleteAllOfTenant` must be before {@link MongoDeviceRepository.pendingNotifications}
   * finishes it (the writer is then assumed dead). Default 60 s.
   */
  readonly deleteAllRecoveryAfterMs?: number;
  /** How long a document must be quiet before acknowledged outbox entries are pruned from it (see MongoOutbox). */
  readonly outboxQuietMs?: number;
}

/**
 * Devices in MongoDB (FerretDB 1.x compatible: no multi-document transactions, `$pull` only with
 * exact elements, no partial indexes). Every single-device write is one atomic single-document
 * operation carrying its outbox entries; deleted devices linger as tombstones until their
 * notifications are acknowledged.
 *
 * `deleteAllOfTenant` spans many documents, so it is made crash-safe by rolling forward:
 * 1. record an intent (with the notification) on the tenant's marker document — invisible to the relay;
 * 2. turn every live device of the tenant into a tombstone (`updateMany`; not atomic as a whole);
 * 3. in one conditional single-document update, remove the intent and move its notification into
 *    the marker's outbox, where the relay finds it.
 * A crash (or error) after 1 leaves the intent; `pendingNotifications` (the relay's poll) repeats
 * 2 for the devices created up to the intent's time and then does 3, once the intent is older than
 * `deleteAllRecoveryAfterMs`. So the notification is never lost, is never published before the
 * devices are gone, and is published once (3 only succeeds while the intent exists). A crash
 * before 1 changed nothing. The price: a call that failed after 1 still takes effect later.
 */
export class MongoDeviceRepository extends DeviceRepository {
  private readonly devices: Collection<DeviceDocument>;
  private readonly markers: Collection<DeleteAllMarker>;
  private readonly outbox: MongoOutbox<DeviceDocument>;
  private readonly recoveryAfterMs: number;

  constructor(
    db: Db,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
    options: MongoDeviceRepositoryOptions = {},
  ) {
    super();
    this.devices = db.collection<DeviceDocument>(Collections.devices);
    this.markers = db.collection<DeleteAllMarker>(Collections.devices);
    this.outbox = new MongoOutbox(this.devices, db, options.outboxQuietMs);
    this.recoveryAfterMs = options.deleteAllRecoveryAfterMs ?? 60_000;
  }

  async create(
    tenantId: string,
    id: string,
    device: DeviceWrite,
    options: CreateDeviceOptions,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const autoProvisioned = options.autoProvisioned === true;
    const fields = {
      tenantId,
      deviceId: id,
      version,
      document: toMongoDocument(device.document),
      via: [...device.via],
      viaGroups: [...device.viaGroups],
      memberOf: [...device.memberOf],
      createdAt: new Date(),
      autoProvisioned,
      notificationSent: !autoProvisioned,
    };
    const entries = outboxEntries(outbox);
    const insert = (): Promise<unknown> =>
      this.devices.insertOne({ _id: deviceKey(tenantId, id), ...fields, outbox: entries });
    try {
      await insert();
    } catch (e) {
      if (!isDuplicateKey(e)) throw translateMongoError(e, 'device');
      // A tombstone of a deleted device with undelivered notifications may still hold the id.
      const revived = await this.run(() =>
        this.devices.updateOne(
          { _id: deviceKey(tenantId, id), deleted: true },
          {
            $set: fields,
            $unset: { deleted: '', updatedAt: '' },
            $push: { outbox: { $each: entries } },
          },
        ),
      );
      if (revived.matchedCount === 0) {
        // Either a live device, or a tombstone removed in between: then the id is free now.
        try {
          await insert();
        } catch (again) {
          throw isDuplicateKey(again)
            ? PersistenceErrors.duplicate('device', id)
            : translateMongoError(again, 'device');
        }
      }
    }
    return version;
  }

  async findById(tenantId: string, id: string): Promise<StoredDevice | undefined> {
    const d = await this.run(() => this.devices.findOne({ _id: deviceKey(tenantId, id), ...live }));
    return d ? toDomain(d) : undefined;
  }

  async update(
    tenantId: string,
    id: string,
    device: DeviceWrite,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const result = await this.run(() =>
      this.devices.updateOne(this.filter(tenantId, id, expectedVersion), {
        // createdAt, autoProvisioned and notificationSent are server-owned and stay.
        $set: {
          version,
          document: toMongoDocument(device.document),
          via: [...device.via],
          viaGroups: [...device.viaGroups],
          memberOf: [...device.memberOf],
          updatedAt: new Date(),
        },
        $push: { outbox: { $each: outboxEntries(outbox) } },
      }),
    );
    if (result.matchedCount === 0) await this.explainMiss(tenantId, id);
    return version;
  }

  /**
   * Leaves `version` (and `updatedAt`) alone: the flag is server-owned status, not user content, so
   * a user's PUT with the If-Match version read before the relay's delivery must still succeed.
   */
  async markNotificationSent(tenantId: string, id: string, version: string): Promise<boolean> {
    const result = await this.run(() =>
      this.devices.updateOne(this.filter(tenantId, id, version), {
        $set: { notificationSent: true },
      }),
    );
    return result.matchedCount > 0;
  }

  async delete(
    tenantId: string,
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    const result = await this.run(() =>
      this.devices.updateOne(this.filter(tenantId, id, expectedVersion), {
        // Always a tombstone first, so that notifications of earlier writes survive too.
        $set: TOMBSTONE,
        $push: { outbox: { $each: outboxEntries(outbox) } },
      }),
    );
    if (result.matchedCount === 0) await this.explainMiss(tenantId, id);
    await this.run(() =>
      this.devices.deleteOne({ _id: deviceKey(tenantId, id), deleted: true, outbox: { $size: 0 } }),
    );
  }

  async deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<number> {
    const entries = outboxEntries(outbox);
    if (entries.length === 0) {
      const count = await this.tombstoneAll(tenantId);
      await this.removeEmptyTombstones(tenantId);
      return count;
    }
    const op = randomUUID();
    await this.run(() =>
      this.markers.updateOne(
        { _id: markerKey(tenantId) },
        {
          $set: {
            marker: ALL_DELETED,
            markerOf: tenantId,
            [`intents.${op}`]: { at: new Date(), entries },
          },
          $inc: { intentCount: 1 },
        } as never,
        { upsert: true },
      ),
    );
    const count = await this.tombstoneAll(tenantId);
    await this.completeIntent(tenantId, op, entries);
    await this.removeEmptyTombstones(tenantId);
    return count;
  }

  async findGroupMembers(tenantId: string, groups: readonly string[]): Promise<string[]> {
    if (groups.length === 0) return [];
    const docs = await this.run(() =>
      this.devices
        .find(
          { tenantId, memberOf: { $in: [...groups] }, ...live },
          { projection: { deviceId: 1 } },
        )
        .sort({ deviceId: 1 })
        .toArray(),
    );
    return docs.map((d) => d.deviceId);
  }

  count(tenantId: string): Promise<number> {
    return this.run(() => this.devices.countDocuments({ tenantId, ...live }));
  }

  async search(
    tenantId: string,
    query: SearchQuery,
    options: DeviceSearchOptions = {},
  ): Promise<Page<StoredDevice>> {
    const { filter, sort } = buildMongoSearch<DeviceDocument>(
      'document',
      query.filters,
      query.sort,
    );
    const clauses: Filter<DeviceDocument>[] = [{ tenantId, ...live }, filter];
    if (options.isGateway !== undefined) {
      // A gateway is a device that some device of the same tenant lists in `via` (Hono's
      // getIdsOfGatewayDevices); tombstones have an empty `via`.
      const gateways = await this.run(() => this.devices.distinct('via', { tenantId, ...live }));
      clauses.push({ deviceId: options.isGateway ? { $in: gateways } : { $nin: gateways } });
    }
    const where: Filter<DeviceDocument> = { $and: clauses };
    const [total, docs] = await this.run(() =>
      Promise.all([
        this.devices.countDocuments(where),
        query.pageSize === 0
          ? Promise.resolve([])
          : this.devices
              .find(where)
              .sort(sort)
              .skip(query.pageOffset)
              .limit(query.pageSize)
              .toArray(),
      ]),
    );
    return { total, result: docs.map(toDomain) };
  }

  async findUnnotified(limit: number): Promise<StoredDevice[]> {
    if (limit <= 0) return []; // limit(0) would mean "no limit"
    const docs = await this.run(() =>
      this.devices
        .find({ autoProvisioned: true, notificationSent: false, ...live })
        .sort({ createdAt: 1, _id: 1 })
        .limit(limit)
        .toArray(),
    );
    return docs.map(toDomain);
  }

  async pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    await this.recoverInterruptedDeletes();
    return this.run(() => this.outbox.pending(limit));
  }

  async acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    await this.run(() => this.outbox.acknowledge(ids));
    // Markers with nothing left to do; one that gets a new intent meanwhile no longer matches.
    await this.run(() =>
      this.markers.deleteMany({
        marker: ALL_DELETED,
        intentCount: { $lte: 0 },
        'outbox.0': { $exists: false },
      }),
    );
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  /** Finishes `deleteAllOfTenant` calls whose writer stopped between recording and completing. */
  private async recoverInterruptedDeletes(): Promise<void> {
    const markers = await this.run(() =>
      this.markers.find({ marker: ALL_DELETED, intentCount: { $gt: 0 } }).toArray(),
    );
    const startedBefore = Date.now() - this.recoveryAfterMs;
    for (const marker of markers) {
      for (const [op, intent] of Object.entries(marker.intents ?? {})) {
        if (intent.at.getTime() > startedBefore) continue;
        // Devices created after the interrupted call are not its business.
        await this.tombstoneAll(marker.markerOf, intent.at);
        await this.completeIntent(marker.markerOf, op, intent.entries);
        await this.removeEmptyTombstones(marker.markerOf);
      }
    }
  }

  /** Turns the tenant's live devices (created up to `createdUpTo`, if given) into tombstones. */
  private async tombstoneAll(tenantId: string, createdUpTo?: Date): Promise<number> {
    const result = await this.run(() =>
      this.devices.updateMany(
        {
          tenantId,
          ...live,
          ...(createdUpTo === undefined ? {} : { createdAt: { $lte: createdUpTo } }),
        },
        { $set: TOMBSTONE },
      ),
    );
    return result.matchedCount;
  }

  /** Publishes an intent's notifications; only the first caller for an intent succeeds. */
  private async completeIntent(
    tenantId: string,
    op: string,
    entries: EmbeddedOutboxEntry[],
  ): Promise<void> {
    await this.run(() =>
      this.markers.updateOne(
        {
          _id: markerKey(tenantId),
          [`intents.${op}`]: { $exists: true },
        },
        {
          $unset: { [`intents.${op}`]: '' },
          $inc: { intentCount: -1 },
          $push: { outbox: { $each: entries } },
        } as never,
      ),
    );
  }

  private async removeEmptyTombstones(tenantId: string): Promise<void> {
    await this.run(() =>
      this.devices.deleteMany({ tenantId, deleted: true, outbox: { $size: 0 } }),
    );
  }

  private filter(
    tenantId: string,
    id: string,
    version: string | undefined,
  ): Filter<DeviceDocument> {
    return {
      _id: deviceKey(tenantId, id),
      ...live,
      ...(version === undefined ? {} : { version }),
    };
  }

  private async explainMiss(tenantId: string, id: string): Promise<never> {
    const exists = await this.run(() =>
      this.devices.countDocuments({ _id: deviceKey(tenantId, id), ...live }, { limit: 1 }),
    );
    throw exists > 0
      ? PersistenceErrors.versionMismatch('device', id)
      : PersistenceErrors.notFound('device', id);
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translateMongoError(e, 'device');
    }
  }
}
