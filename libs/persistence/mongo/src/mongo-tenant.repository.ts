import { randomUUID } from 'node:crypto';

import type { Collection, Db, Filter } from 'mongodb';

import {
  type JsonObject,
  type NewOutboxMessage,
  type OutboxMessage,
  type Page,
  PersistenceErrors,
  type TenantSearchQuery,
  type StoredTenant,
  type TenantKeys,
  TenantRepository,
} from '@tessera/persistence';

import { Collections } from './indexes';
import { translateMongoError } from './mongo-error.translator';
import { live, MongoOutbox, outboxEntries, type WithOutbox } from './mongo-outbox';
import { fromMongoDocument, toMongoDocument } from './mongo-json.codec';
import { buildMongoSearch } from './mongo-search';

/** The stored shape; never leaves this lib. */
interface TenantDocument extends WithOutbox {
  _id: string;
  version: string;
  document: JsonObject;
  alias: string | null;
  aliasKey: string;
  trustAnchorGroup: string | null;
  subjectDns: string[];
  createdAt: Date;
  updatedAt: Date;
}

// Ids and aliases share one unique index namespace only for real aliases; a tenant without alias
// gets a key that no alias can equal (aliases cannot contain '#').
const aliasKey = (id: string, alias: string | undefined): string => alias ?? `#id#${id}`;

function toDomain(d: TenantDocument): StoredTenant {
  return {
    id: d._id,
    version: d.version,
    document: fromMongoDocument(d.document),
    keys: {
      alias: d.alias ?? undefined,
      trustAnchorGroup: d.trustAnchorGroup ?? undefined,
      subjectDns: d.subjectDns,
    },
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** Tenants in MongoDB: one document each; every write is a single-document atomic operation. */
export class MongoTenantRepository extends TenantRepository {
  private readonly tenants: Collection<TenantDocument>;
  private readonly outbox: MongoOutbox<TenantDocument>;

  constructor(
    db: Db,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {
    super();
    this.tenants = db.collection<TenantDocument>(Collections.tenants);
    this.outbox = new MongoOutbox(this.tenants, db);
  }

  async create(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const now = new Date();
    const fields = {
      version,
      document: toMongoDocument(document),
      alias: keys.alias ?? null,
      aliasKey: aliasKey(id, keys.alias),
      trustAnchorGroup: keys.trustAnchorGroup ?? null,
      subjectDns: [...keys.subjectDns],
      createdAt: now,
      updatedAt: now,
    };
    const entries = outboxEntries(outbox);
    try {
      await this.run(() => this.tenants.insertOne({ _id: id, ...fields, outbox: entries }));
    } catch (e) {
      // A tombstone of a deleted tenant with undelivered notifications may still hold the id.
      const revived = await this.run(() =>
        this.tenants.updateOne(
          { _id: id, deleted: true },
          { $set: { ...fields, deleted: false }, $push: { outbox: { $each: entries } } },
        ),
      );
      if (revived.matchedCount === 0) throw e;
    }
    return version;
  }

  async findById(id: string): Promise<StoredTenant | undefined> {
    const d = await this.run(() => this.tenants.findOne({ _id: id, ...live }));
    return d ? toDomain(d) : undefined;
  }

  async findByIdOrAlias(idOrAlias: string): Promise<StoredTenant | undefined> {
    const found = await this.run(() =>
      this.tenants.find({ $or: [{ _id: idOrAlias }, { alias: idOrAlias }], ...live }).toArray(),
    );
    const match = found.find((d) => d._id === idOrAlias) ?? found[0];
    return match ? toDomain(match) : undefined;
  }

  async findBySubjectDn(subjectDn: string): Promise<StoredTenant[]> {
    const found = await this.run(() =>
      this.tenants
        .find({ subjectDns: subjectDn, ...live })
        .sort({ _id: 1 })
        .toArray(),
    );
    return found.map(toDomain);
  }

  async findIdsCollidingWith(id: string): Promise<string[]> {
    // Anchored, so the _id index narrows it down to the literal prefix before the first . or _.
    const pattern = id.replace(/[._\\^$*+?()[\]{}|]/g, (c) =>
      c === '.' || c === '_' ? '[._]' : `\\${c}`,
    );
    const found = await this.run(() =>
      this.tenants
        .find({ _id: { $regex: `^${pattern}$`, $ne: id }, ...live }, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .toArray(),
    );
    return found.map((d) => d._id);
  }

  async update(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const result = await this.run(() =>
      this.tenants.updateOne(
        {
          _id: id,
          ...live,
          ...(expectedVersion === undefined ? {} : { version: expectedVersion }),
        },
        {
          $set: {
            version,
            document: toMongoDocument(document),
            alias: keys.alias ?? null,
            aliasKey: aliasKey(id, keys.alias),
            trustAnchorGroup: keys.trustAnchorGroup ?? null,
            subjectDns: [...keys.subjectDns],
            updatedAt: new Date(),
          },
          $push: { outbox: { $each: outboxEntries(outbox) } },
        },
      ),
    );
    if (result.matchedCount === 0) await this.explainMiss(id);
    return version;
  }

  async delete(
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    const filter = {
      _id: id,
      ...live,
      ...(expectedVersion === undefined ? {} : { version: expectedVersion }),
    };
    const entries = outboxEntries(outbox);
    const result = await this.run(() =>
      entries.length === 0
        ? this.tenants.deleteOne(filter).then((r) => ({ matchedCount: r.deletedCount }))
        : this.tenants.updateOne(filter, {
            // Keep a tombstone until the notifications are out; free its unique keys now.
            $set: {
              deleted: true,
              document: {},
              alias: null,
              aliasKey: `#deleted#${randomUUID()}`,
              subjectDns: [],
            },
            $push: { outbox: { $each: entries } },
          }),
    );
    if (result.matchedCount === 0) await this.explainMiss(id);
  }

  async search(query: TenantSearchQuery): Promise<Page<StoredTenant>> {
    const search = buildMongoSearch<TenantDocument>('document', query.filters, query.sort);
    const { sort } = search;
    // Tombstones (deleted tenants whose notifications are pending) are no search results.
    const filter: Filter<TenantDocument> = {
      $and: [
        search.filter,
        live,
        ...(query.ids === undefined ? [] : [{ _id: { $in: [...query.ids] } }]),
      ],
    };
    const [total, docs] = await this.run(() =>
      Promise.all([
        this.tenants.countDocuments(filter),
        this.tenants.find(filter).sort(sort).skip(query.pageOffset).limit(query.pageSize).toArray(),
      ]),
    );
    return { total, result: query.pageSize === 0 ? [] : docs.map(toDomain) };
  }

  pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    return this.run(() => this.outbox.pending(limit));
  }

  acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    return this.run(() => this.outbox.acknowledge(ids));
  }

  async close(): Promise<void> {
    await this.onClose();
  }

  private async explainMiss(id: string): Promise<never> {
    const exists = await this.run(() =>
      this.tenants.countDocuments({ _id: id, ...live }, { limit: 1 }),
    );
    throw exists > 0
      ? PersistenceErrors.versionMismatch('tenant', id)
      : PersistenceErrors.notFound('tenant', id);
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translateMongoError(e, 'tenant');
    }
  }
}
