import { randomUUID } from 'node:crypto';

import type { Collection, Db, Document, Filter } from 'mongodb';

import type { JsonObject, NewOutboxMessage, OutboxMessage } from '@tessera/persistence';

/** An outbox entry embedded in the document whose write produced it. */
export interface EmbeddedOutboxEntry {
  id: string;
  topic: string;
  key: string;
  payload: JsonObject;
  createdAt: Date;
}

/** A document that carries its own pending notifications and may linger as a tombstone. */
export interface WithOutbox {
  outbox: EmbeddedOutboxEntry[];
  /** Set on delete while notifications are pending; such documents are invisible to reads. */
  deleted?: boolean;
}

/**
 * MongoDB without multi-document transactions (FerretDB 1.x) keeps outbox entries inside the changed
 * document, written by the same single-document update. A deleted document stays as a tombstone
 * until its last notification is acknowledged.
 */
export function outboxEntries(messages: readonly NewOutboxMessage[]): EmbeddedOutboxEntry[] {
  const now = new Date();
  return messages.map((m) => ({
    id: randomUUID(),
    topic: m.topic,
    key: m.key,
    payload: m.payload,
    createdAt: now,
  }));
}

/** Matches live (not deleted) documents. */
export const live = { deleted: { $ne: true } } as const;

interface Ack {
  _id: string;
  at: Date;
}

/**
 * Reads and acknowledges the outbox entries embedded in one collection.
 *
 * Acknowledgements go to a separate collection, not into the entity documents: FerretDB 1.x applies
 * concurrent updates of one document without isolation (measured: concurrent `$inc`s get lost), so
 * a relay writing to a document while a user updates it could lose the user's change. Acknowledged
 * entries are pruned from a document only once it has been quiet (no new entry) for `quietMs`, which
 * keeps that race out of normal operation; on MongoDB proper every update is atomic anyway.
 */
export class MongoOutbox<T extends WithOutbox & Document> {
  private readonly acks: Collection<Ack>;

  constructor(
    private readonly collection: Collection<T>,
    db: Db,
    private readonly quietMs = 30_000,
  ) {
    this.acks = db.collection<Ack>(`${collection.collectionName}_outbox_acks`);
  }

  async pending(limit: number): Promise<OutboxMessage[]> {
    const docs = await this.collection
      .find({ 'outbox.0': { $exists: true } } as Filter<T>)
      .limit(limit * 4)
      .toArray();
    const entries = docs.flatMap((d) => (d as WithOutbox).outbox);
    const acked = await this.ackedAmong(entries.map((e) => e.id));
    return entries
      .filter((e) => !acked.has(e.id))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .slice(0, limit)
      .map((e) => ({
        id: e.id,
        topic: e.topic,
        key: e.key,
        payload: e.payload,
        createdAt: e.createdAt,
      }));
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const at = new Date();
    try {
      await this.acks.insertMany(
        ids.map((id) => ({ _id: id, at })),
        { ordered: false },
      );
    } catch (e) {
      // Acknowledging twice is harmless: duplicates of already stored acks are expected.
      if ((e as { code?: number }).code !== 11000 && !isDuplicateBatch(e)) throw e;
    }
    await this.prune();
  }

  /** Removes acknowledged entries from quiet documents, and tombstones with nothing left to send. */
  async prune(): Promise<void> {
    const quietBefore = Date.now() - this.quietMs;
    const docs = await this.collection
      .find({ 'outbox.0': { $exists: true } } as Filter<T>)
      .limit(100)
      .toArray();
    for (const doc of docs) {
      const entries = (doc as WithOutbox).outbox;
      if (entries.some((e) => e.createdAt.getTime() > quietBefore)) continue;
      const acked = await this.ackedAmong(entries.map((e) => e.id));
      if (acked.size === 0) continue;
      // $pull of the exact entry as read: the only $pull form FerretDB 1.x applies.
      for (const entry of entries.filter((e) => acked.has(e.id))) {
        await this.collection.updateOne(
          { _id: doc._id } as Filter<T>,
          { $pull: { outbox: entry } } as never,
        );
      }
      await this.acks.deleteMany({ _id: { $in: [...acked] } });
    }
    await this.collection.deleteMany({ deleted: true, outbox: { $size: 0 } } as Filter<T>);
  }

  private async ackedAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.acks.find({ _id: { $in: [...ids] } }).toArray();
    return new Set(found.map((a) => a._id));
  }
}

function isDuplicateBatch(e: unknown): boolean {
  const errors = (e as { writeErrors?: { code?: number }[] }).writeErrors;
  return Array.isArray(errors) && errors.every((w) => w.code === 11000);
}
