import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

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

import { buildJsonbSearch } from './jsonb-search';
import { pagedQuery } from './paged-query';
import { PointLookup, poolOf } from './point-lookup';
import { insertOutbox, PostgresOutbox } from './postgres-outbox';
import { translatePostgresError } from './postgres-error.translator';
import { TenantEntity } from './tenant.entity';

interface TenantRow {
  id: string;
  version: string;
  document: JsonObject;
  alias: string | null;
  trust_anchor_group: string | null;
  subject_dns: string[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, version, document, alias, trust_anchor_group, subject_dns, created_at, updated_at';

function rowToDomain(r: TenantRow): StoredTenant {
  return {
    id: r.id,
    version: r.version,
    document: r.document,
    keys: {
      alias: r.alias ?? undefined,
      trustAnchorGroup: r.trust_anchor_group ?? undefined,
      subjectDns: r.subject_dns,
    },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Tenants in PostgreSQL: one row each, the document as jsonb, versions checked in the UPDATE itself. */
export class PostgresTenantRepository extends TenantRepository {
  private readonly outbox: PostgresOutbox;

  // Every registry API request needs its tenant (remembered only briefly by the services).
  private readonly byId: PointLookup<string, TenantRow>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.outbox = new PostgresOutbox(dataSource, 'tenant');
    this.byId = new PointLookup(() => poolOf(dataSource), {
      name: 'tenant-by-id',
      one: `SELECT ${COLUMNS} FROM tenant WHERE id = $1`,
      params: (id) => [id],
      many: `SELECT ${COLUMNS} FROM tenant WHERE id = ANY($1::text[])`,
      groupParams: (ids) => [ids],
      groupOf: () => '',
      idOf: (id) => id,
      rowId: (r) => r.id,
    });
  }

  async create(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    await this.run(() =>
      this.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO tenant (id, version, document, alias, trust_anchor_group, subject_dns, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, now(), now())`,
          [
            id,
            version,
            document,
            keys.alias ?? null,
            keys.trustAnchorGroup ?? null,
            [...keys.subjectDns],
          ],
        );
        await insertOutbox(m, 'tenant', outbox);
      }),
    );
    return version;
  }

  async findById(id: string): Promise<StoredTenant | undefined> {
    const row = await this.run(() => this.byId.get(id));
    return row ? rowToDomain(row) : undefined;
  }

  async findByIdOrAlias(idOrAlias: string): Promise<StoredTenant | undefined> {
    const rows = await this.run(() =>
      this.dataSource.query<TenantRow[]>('SELECT * FROM tenant WHERE id = $1 OR alias = $1', [
        idOrAlias,
      ]),
    );
    const match = rows.find((r) => r.id === idOrAlias) ?? rows[0];
    return match ? rowToDomain(match) : undefined;
  }

  async findBySubjectDn(subjectDn: string): Promise<StoredTenant[]> {
    const rows = await this.run(() =>
      this.dataSource.query<TenantRow[]>(
        'SELECT * FROM tenant WHERE subject_dns @> ARRAY[$1]::text[] ORDER BY id',
        [subjectDn],
      ),
    );
    return rows.map(rowToDomain);
  }

  async findIdsCollidingWith(id: string): Promise<string[]> {
    // Matches the expression index tenant_topic_name_idx.
    const rows = await this.run(() =>
      this.dataSource.query<{ id: string }[]>(
        `SELECT id FROM tenant WHERE translate(id, '.', '_') = translate($1, '.', '_') AND id <> $1
         ORDER BY id`,
        [id],
      ),
    );
    return rows.map((r) => r.id);
  }

  async update(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const updated = await this.run(() =>
      this.dataSource.transaction(async (m) => {
        const [, count] = await m.query<[unknown[], number]>(
          `UPDATE tenant SET version = $2, document = $3, alias = $4, trust_anchor_group = $5,
             subject_dns = $6, updated_at = now()
           WHERE id = $1 AND ($7::text IS NULL OR version = $7) RETURNING id`,
          [
            id,
            version,
            document,
            keys.alias ?? null,
            keys.trustAnchorGroup ?? null,
            [...keys.subjectDns],
            expectedVersion ?? null,
          ],
        );
        if (count === 0) return false;
        await insertOutbox(m, 'tenant', outbox);
        return true;
      }),
    );
    if (!updated) await this.explainMiss(id);
    return version;
  }

  async delete(
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    const deleted = await this.run(() =>
      this.dataSource.transaction(async (m) => {
        const [, count] = await m.query<[unknown[], number]>(
          'DELETE FROM tenant WHERE id = $1 AND ($2::text IS NULL OR version = $2) RETURNING id',
          [id, expectedVersion ?? null],
        );
        if (count === 0) return false;
        await insertOutbox(m, 'tenant', outbox);
        return true;
      }),
    );
    if (!deleted) await this.explainMiss(id);
  }

  async search(query: TenantSearchQuery): Promise<Page<StoredTenant>> {
    const search = buildJsonbSearch('document', query.filters, query.sort);
    const { orderBy, params } = search;
    let { where } = search;
    if (query.ids !== undefined) {
      params.push(query.ids);
      where = `${where} AND id = ANY($${String(params.length)})`;
    }
    return this.run(() =>
      pagedQuery(
        this.dataSource,
        { columns: '*', table: 'tenant', where, orderBy },
        params,
        query,
        (row: TenantRow) => rowToDomain(row),
      ),
    );
  }

  pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    return this.run(() => this.outbox.pending(limit));
  }

  acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    return this.run(() => this.outbox.acknowledge(ids));
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  private async explainMiss(id: string): Promise<never> {
    const exists = await this.run(() =>
      this.dataSource.getRepository(TenantEntity).existsBy({ id }),
    );
    throw exists
      ? PersistenceErrors.versionMismatch('tenant', id)
      : PersistenceErrors.notFound('tenant', id);
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translatePostgresError(e, 'tenant');
    }
  }
}
