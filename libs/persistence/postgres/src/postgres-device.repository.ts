import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

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

import { buildJsonbSearch } from './jsonb-search';
import { pagedQuery } from './paged-query';
import { PointLookup, poolOf } from './point-lookup';
import { insertOutbox, PostgresOutbox } from './postgres-outbox';
import { translatePostgresError } from './postgres-error.translator';

interface DeviceRow {
  tenant_id: string;
  id: string;
  version: string;
  document: JsonObject;
  via: string[];
  via_groups: string[];
  member_of: string[];
  created_at: Date;
  updated_at: Date | null;
  auto_provisioned: boolean;
  notification_sent: boolean;
}

const COLUMNS = `tenant_id, id, version, document, via, via_groups, member_of, created_at, updated_at,
  auto_provisioned, notification_sent`;

function toDomain(r: DeviceRow): StoredDevice {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    version: r.version,
    document: r.document,
    status: {
      created: r.created_at,
      updated: r.updated_at ?? undefined,
      autoProvisioned: r.auto_provisioned,
      autoProvisioningNotificationSent: r.notification_sent,
    },
    via: r.via,
    viaGroups: r.via_groups,
    memberOf: r.member_of,
  };
}

/**
 * Devices in PostgreSQL: one row per (tenant, device), the document as jsonb, versions checked in
 * the UPDATE/DELETE itself, outbox rows (owner `device`) in the same transaction. Every query
 * names the tenant, except {@link findUnnotified}, which the relay runs across tenants.
 */
export class PostgresDeviceRepository extends DeviceRepository {
  private readonly outbox: PostgresOutbox;
  // The Device Registration API's `assert` reads a device (and its gateway) per request.
  private readonly byId: PointLookup<{ tenantId: string; id: string }, DeviceRow>;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.outbox = new PostgresOutbox(dataSource, 'device');
    this.byId = new PointLookup(() => poolOf(dataSource), {
      name: 'device-by-id',
      one: `SELECT ${COLUMNS} FROM device WHERE tenant_id = $1 AND id = $2`,
      params: (k) => [k.tenantId, k.id],
      many: `SELECT ${COLUMNS} FROM device WHERE tenant_id = $1 AND id = ANY($2::text[])`,
      groupParams: (keys) => [keys[0]?.tenantId, keys.map((k) => k.id)],
      groupOf: (k) => k.tenantId,
      idOf: (k) => k.id,
      rowId: (r) => r.id,
    });
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
    await this.run(() =>
      this.dataSource.transaction(async (m) => {
        await m.query(
          `INSERT INTO device (tenant_id, id, version, document, via, via_groups, member_of,
             created_at, updated_at, auto_provisioned, notification_sent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now(), NULL, $8, $9)`,
          [
            tenantId,
            id,
            version,
            device.document,
            [...device.via],
            [...device.viaGroups],
            [...device.memberOf],
            autoProvisioned,
            !autoProvisioned,
          ],
        );
        await insertOutbox(m, 'device', outbox);
      }),
    );
    return version;
  }

  async findById(tenantId: string, id: string): Promise<StoredDevice | undefined> {
    const row = await this.run(() => this.byId.get({ tenantId, id }));
    return row ? toDomain(row) : undefined;
  }

  async update(
    tenantId: string,
    id: string,
    device: DeviceWrite,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    const version = randomUUID();
    const updated = await this.run(() =>
      this.dataSource.transaction(async (m) => {
        // The status columns (created_at, auto_provisioned, notification_sent) are server-owned.
        const [, count] = await m.query<[unknown[], number]>(
          `UPDATE device SET version = $3, document = $4, via = $5, via_groups = $6, member_of = $7,
             updated_at = now()
           WHERE tenant_id = $1 AND id = $2 AND ($8::text IS NULL OR version = $8) RETURNING id`,
          [
            tenantId,
            id,
            version,
            device.document,
            [...device.via],
            [...device.viaGroups],
            [...device.memberOf],
            expectedVersion ?? null,
          ],
        );
        if (count === 0) return false;
        await insertOutbox(m, 'device', outbox);
        return true;
      }),
    );
    if (!updated) await this.explainMiss(tenantId, id);
    return version;
  }

  /**
   * Leaves `version` (and `updated`) alone: the flag is server-owned status, not user content, so a
   * user's PUT with the If-Match version read before the relay's delivery must still succeed.
   */
  async markNotificationSent(tenantId: string, id: string, version: string): Promise<boolean> {
    const [, count] = await this.run(() =>
      this.dataSource.query<[unknown[], number]>(
        `UPDATE device SET notification_sent = true
         WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING id`,
        [tenantId, id, version],
      ),
    );
    return count > 0;
  }

  async delete(
    tenantId: string,
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    const deleted = await this.run(() =>
      this.dataSource.transaction(async (m) => {
        const [, count] = await m.query<[unknown[], number]>(
          `DELETE FROM device WHERE tenant_id = $1 AND id = $2 AND ($3::text IS NULL OR version = $3)
           RETURNING id`,
          [tenantId, id, expectedVersion ?? null],
        );
        if (count === 0) return false;
        await insertOutbox(m, 'device', outbox);
        return true;
      }),
    );
    if (!deleted) await this.explainMiss(tenantId, id);
  }

  async deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<number> {
    return this.run(() =>
      this.dataSource.transaction(async (m) => {
        const [, count] = await m.query<[unknown[], number]>(
          'DELETE FROM device WHERE tenant_id = $1',
          [tenantId],
        );
        // Stored even when the tenant had no devices: the operation succeeded (Hono notifies then too).
        await insertOutbox(m, 'device', outbox);
        return count;
      }),
    );
  }

  async findGroupMembers(tenantId: string, groups: readonly string[]): Promise<string[]> {
    if (groups.length === 0) return [];
    const rows = await this.run(() =>
      this.dataSource.query<{ id: string }[]>(
        'SELECT id FROM device WHERE tenant_id = $1 AND member_of && $2::text[] ORDER BY id',
        [tenantId, [...groups]],
      ),
    );
    return rows.map((r) => r.id);
  }

  async count(tenantId: string): Promise<number> {
    const [row] = await this.run(() =>
      this.dataSource.query<{ total: string }[]>(
        'SELECT count(*) AS total FROM device WHERE tenant_id = $1',
        [tenantId],
      ),
    );
    return Number(row?.total ?? 0);
  }

  async search(
    tenantId: string,
    query: SearchQuery,
    options: DeviceSearchOptions = {},
  ): Promise<Page<StoredDevice>> {
    const { where, orderBy, params } = buildJsonbSearch('document', query.filters, query.sort, [
      tenantId,
    ]);
    // A gateway is a device that some device of the same tenant lists in `via` (Hono's
    // getIdsOfGatewayDevices); `via @> ARRAY[id]` can use the GIN index.
    const gateway =
      options.isGateway === undefined
        ? 'TRUE'
        : `${options.isGateway ? '' : 'NOT '}EXISTS (SELECT 1 FROM device g
             WHERE g.tenant_id = device.tenant_id AND g.via @> ARRAY[device.id::text])`;
    const condition = `device.tenant_id = $1 AND (${where}) AND ${gateway}`;
    return this.run(() =>
      pagedQuery(
        this.dataSource,
        { columns: COLUMNS, table: 'device', where: condition, orderBy },
        params,
        query,
        (row: DeviceRow) => toDomain(row),
      ),
    );
  }

  async findUnnotified(limit: number): Promise<StoredDevice[]> {
    const rows = await this.run(() =>
      this.dataSource.query<DeviceRow[]>(
        `SELECT ${COLUMNS} FROM device WHERE auto_provisioned AND NOT notification_sent
         ORDER BY created_at, tenant_id, id LIMIT $1`,
        [limit],
      ),
    );
    return rows.map(toDomain);
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

  private async explainMiss(tenantId: string, id: string): Promise<never> {
    const rows = await this.run(() =>
      this.dataSource.query<unknown[]>('SELECT 1 FROM device WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        id,
      ]),
    );
    throw rows.length > 0
      ? PersistenceErrors.versionMismatch('device', id)
      : PersistenceErrors.notFound('device', id);
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translatePostgresError(e, 'device');
    }
  }
}
