import { randomUUID } from 'node:crypto';

import type { DataSource, EntityManager } from 'typeorm';

import type { JsonObject, NewOutboxMessage, OutboxMessage } from '@tessera/persistence';

/** Which repository wrote an outbox row; each repository relays only its own. */
export type OutboxOwner = 'tenant' | 'device' | 'credentials';

/** Inserts outbox rows inside the caller's transaction. */
export async function insertOutbox(
  manager: EntityManager,
  owner: OutboxOwner,
  messages: readonly NewOutboxMessage[],
): Promise<void> {
  for (const m of messages) {
    await manager.query(
      'INSERT INTO outbox (id, owner, topic, key, payload) VALUES ($1, $2, $3, $4, $5)',
      [randomUUID(), owner, m.topic, m.key, m.payload],
    );
  }
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  payload: JsonObject;
  created_at: Date;
}

/** Reads and acknowledges one owner's outbox rows. */
export class PostgresOutbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly owner: OutboxOwner,
  ) {}

  async pending(limit: number): Promise<OutboxMessage[]> {
    const rows = await this.dataSource.query<OutboxRow[]>(
      'SELECT id, topic, key, payload, created_at FROM outbox WHERE owner = $1 ORDER BY created_at, id LIMIT $2',
      [this.owner, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      key: r.key,
      payload: r.payload,
      createdAt: r.created_at,
    }));
  }

  async acknowledge(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('DELETE FROM outbox WHERE owner = $1 AND id = ANY($2::uuid[])', [
      this.owner,
      [...ids],
    ]);
  }
}
