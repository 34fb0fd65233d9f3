import { randomUUID } from 'node:crypto';

import type { Collection, Document, Filter } from 'mongodb';

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

/** Reads and acknowledges the outbox entries embedded in one collection. */
export class MongoOutbox<T extends WithOutbox & Document> {
  constructor(private readonly collection: Collection<T>) {}

  async pending(limit: number): Promise<OutboxMessage[]> {
    const docs = await this.collection
      .find({ 'outbox.0': { $exists: true } } as Filter<T>)
      .limit(limit)
      .toArray();
    return docs
      .flatMap((d) => (d as WithOutbox).outbox)
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
    const wanted = new Set(ids);
    const docs = await this.collection
      .find({ 'outbox.id': { $in: [...ids] } } as unknown as Filter<T>)
      .toArray();
    for (const doc of docs) {
      // $pull of the exact entry as read: the only $pull form FerretDB 1.x applies (it ignores
      // conditions), and safe against concurrent pushes.
      for (const entry of (doc as WithOutbox).outbox.filter((e) => wanted.has(e.id))) {
        await this.collection.updateOne(
          { _id: doc._id } as Filter<T>,
          { $pull: { outbox: entry } } as never,
        );
      }
    }
    await this.collection.deleteMany({ deleted: true, outbox: { $size: 0 } } as Filter<T>);
  }
}
