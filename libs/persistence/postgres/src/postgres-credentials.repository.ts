import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import {
  type CredentialKey,
  CredentialsRepository,
  type JsonObject,
  type NewOutboxMessage,
  type OutboxMessage,
  PersistenceErrors,
  type StoredCredentials,
} from '@tessera/persistence';

import { PointLookup, poolOf } from './point-lookup';
import { insertOutbox, PostgresOutbox } from './postgres-outbox';
import { translatePostgresError } from './postgres-error.translator';

interface CredentialsRow {
  tenant_id: string;
  device_id: string;
  version: string;
  credentials: JsonObject[];
  device_created: Date | null;
}

const toDomain = (r: CredentialsRow): StoredCredentials => ({
  tenantId: r.tenant_id,
  deviceId: r.device_id,
  version: r.version,
  credentials: r.credentials,
  ...(r.device_created !== null && { deviceCreated: r.device_created }),
});

const COLUMNS = 'c.tenant_id, c.device_id, c.version, c.credentials, c.device_created';

const BY_KEY = `SELECT ${COLUMNS}, k.auth_id FROM credential_key k
  JOIN credentials c ON c.tenant_id = k.tenant_id AND c.device_id = k.device_id`;

/** Distinct keys in one fixed order, so concurrent writers lock key rows in the same order. */
function distinctKeys(keys: readonly CredentialKey[]): CredentialKey[] {
  const byId = new Map(keys.map((k) => [JSON.stringify([k.type, k.authId]), k]));
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, k]) => k);
}

/** The 409 names the (type, auth-id) that is taken; never anything of the secrets. */
const credentialKeyTaken = (key: CredentialKey): Error =>
  PersistenceErrors.duplicate('credentials', `of type '${key.type}' with auth-id '${key.authId}'`);

/**
 * Credentials in PostgreSQL: the set as a jsonb array in `credentials`, its (type, auth-id) keys in
 * `credential_key` (unique per tenant), both and the outbox rows written in one transaction.
 */
export class PostgresCredentialsRepository extends CredentialsRepository {
  private readonly outbox: PostgresOutbox;

  // The Credentials API's `get` reads by (type, auth-id) per request.
  private readonly byKey: PointLookup<
    { tenantId: string; key: CredentialKey },
    CredentialsRow & { auth_id: string }
  >;

  constructor(private readonly dataSource: DataSource) {
    super();
    this.outbox = new PostgresOutbox(dataSource, 'credentials');
    this.byKey = new PointLookup(() => poolOf(dataSource), {
      name: 'credentials-by-key',
      one: `${BY_KEY} WHERE k.tenant_id = $1 AND k.type = $2 AND k.auth_id = $3`,
      params: (k) => [k.tenantId, k.key.type, k.key.authId],
      many: `${BY_KEY} WHERE k.tenant_id = $1 AND k.type = $2 AND k.auth_id = ANY($3::text[])`,
      groupParams: (keys) => [keys[0]?.tenantId, keys[0]?.key.type, keys.map((k) => k.key.authId)],
      groupOf: (k) => JSON.stringify([k.tenantId, k.key.type]),
      idOf: (k) => k.key.authId,
      rowId: (r) => r.auth_id,
    });
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
    const version = randomUUID();
    const created = deviceCreated ?? null;
    const wanted = distinctKeys(keys);
    // node-postgres would turn a JS array into a PostgreSQL array literal, not JSON.
    const json = JSON.stringify(credentials);
    await this.run(() =>
      this.dataSource.transaction(async (m) => {
        if (expectedVersion === undefined) {
          await m.query(
            `INSERT INTO credentials
               (tenant_id, device_id, version, credentials, updated_at, device_created)
             VALUES ($1, $2, $3, $4::jsonb, now(), $5)
             ON CONFLICT (tenant_id, device_id) DO UPDATE SET version = EXCLUDED.version,
               credentials = EXCLUDED.credentials, updated_at = EXCLUDED.updated_at,
               device_created = EXCLUDED.device_created`,
            [tenantId, deviceId, version, json, created],
          );
        } else {
          const [, count] = await m.query<[unknown[], number]>(
            `UPDATE credentials SET version = $3, credentials = $4::jsonb, updated_at = now(),
               device_created = $6
             WHERE tenant_id = $1 AND device_id = $2 AND version = $5 RETURNING device_id`,
            [tenantId, deviceId, version, json, expectedVersion, created],
          );
          // No row, or another version: either way the caller's version is not the current one.
          if (count === 0) throw PersistenceErrors.versionMismatch('credentials', deviceId);
        }
        await m.query('DELETE FROM credential_key WHERE tenant_id = $1 AND device_id = $2', [
          tenantId,
          deviceId,
        ]);
        if (wanted.length > 0) {
          // DO NOTHING (rather than a unique violation) keeps the transaction usable and tells
          // exactly which keys another device holds; a concurrent uncommitted claim is waited for.
          const inserted = await m.query<{ type: string; auth_id: string }[]>(
            `INSERT INTO credential_key (tenant_id, type, auth_id, device_id)
             SELECT $1, k.type, k.auth_id, $2 FROM unnest($3::text[], $4::text[]) AS k(type, auth_id)
             ORDER BY k.type, k.auth_id
             ON CONFLICT (tenant_id, type, auth_id) DO NOTHING RETURNING type, auth_id`,
            [tenantId, deviceId, wanted.map((k) => k.type), wanted.map((k) => k.authId)],
          );
          const got = new Set(inserted.map((r) => JSON.stringify([r.type, r.auth_id])));
          const taken = wanted.find((k) => !got.has(JSON.stringify([k.type, k.authId])));
          if (taken) throw credentialKeyTaken(taken);
        }
        await insertOutbox(m, 'credentials', outbox);
      }),
    );
    return version;
  }

  async findByDevice(tenantId: string, deviceId: string): Promise<StoredCredentials | undefined> {
    const [row] = await this.run(() =>
      this.dataSource.query<CredentialsRow[]>(
        `SELECT ${COLUMNS} FROM credentials c WHERE c.tenant_id = $1 AND c.device_id = $2`,
        [tenantId, deviceId],
      ),
    );
    return row ? toDomain(row) : undefined;
  }

  async findByKey(tenantId: string, key: CredentialKey): Promise<StoredCredentials | undefined> {
    const row = await this.run(() => this.byKey.get({ tenantId, key }));
    return row ? toDomain(row) : undefined;
  }

  async deleteForDevice(
    tenantId: string,
    deviceId: string,
    outbox: readonly NewOutboxMessage[],
    expectedVersion?: string,
  ): Promise<void> {
    await this.run(() =>
      this.dataSource.transaction(async (m) => {
        // The keys go with the row (ON DELETE CASCADE).
        if (expectedVersion === undefined) {
          await m.query('DELETE FROM credentials WHERE tenant_id = $1 AND device_id = $2', [
            tenantId,
            deviceId,
          ]);
        } else {
          const [, count] = await m.query<[unknown[], number]>(
            `DELETE FROM credentials WHERE tenant_id = $1 AND device_id = $2 AND version = $3
             RETURNING device_id`,
            [tenantId, deviceId, expectedVersion],
          );
          if (count === 0) return;
        }
        await insertOutbox(m, 'credentials', outbox);
      }),
    );
  }

  async deleteAllOfTenant(tenantId: string, outbox: readonly NewOutboxMessage[]): Promise<void> {
    await this.run(() =>
      this.dataSource.transaction(async (m) => {
        await m.query('DELETE FROM credentials WHERE tenant_id = $1', [tenantId]);
        await insertOutbox(m, 'credentials', outbox);
      }),
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

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      throw translatePostgresError(e, 'credentials');
    }
  }
}
