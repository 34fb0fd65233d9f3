import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import { Injectable, Optional } from '@nestjs/common';

import {
  type JsonObject,
  type NewOutboxMessage,
  type TenantKeys,
  TenantRepository,
} from '@tessera/persistence';
import {
  ClientError,
  NotFoundError,
  parseOrThrow,
  ResourceConflictError,
  ResourceVersionSchema,
  SearchTenantsQuerySchema,
  tenantChangeNotification,
  TenantIdSchema,
  TenantSchema,
  type LifecycleChange,
  type ResourceVersion,
  type SearchTenantsResult,
  type Tenant,
  type TenantId,
  type TenantWithId,
} from '@tessera/registry-api';
import { normalizeDistinguishedName, outboxMessageOf, toSearchQuery } from '@tessera/registry-kit';

import { LocalTenantDirectory } from './local-tenant.directory';
import { completeTrustedCas } from './trusted-ca';

/** A tenant as stored, with its resource version (the ETag). */
export interface VersionedTenant {
  readonly tenant: Tenant;
  readonly version: ResourceVersion;
  /** When this incarnation of the tenant was created (not part of Hono's tenant JSON). */
  readonly created: Date;
}

/** The keys the store indexes: alias, trust anchor group and the trusted CAs' subject DNs. */
export function tenantKeysOf(tenant: Tenant): TenantKeys {
  const subjectDns = (tenant['trusted-ca'] ?? []).flatMap((ca) =>
    ca['subject-dn'] === undefined ? [] : [ca['subject-dn']],
  );
  return {
    alias: tenant.alias,
    trustAnchorGroup: tenant['trust-anchor-group'],
    subjectDns: [...new Set(subjectDns)],
  };
}

// Stored documents are tenants this service validated; the store keeps them as plain JSON.
const toDocument = (tenant: Tenant): JsonObject => tenant as unknown as JsonObject;
const fromDocument = (document: JsonObject): Tenant => document;
/** Tenant members only a platform admin may change. */
const PLATFORM_FIELDS = ['registration-limits', 'resource-limits', 'trust-anchor-group'] as const;

const asVersion = (version: string): ResourceVersion => ResourceVersionSchema.parse(version);

/**
 * Tenant management (Hono's `TenantManagementService`): validates tenants against the registry-api
 * schemas, completes trusted CAs, enforces CA subject DN uniqueness across trust anchor groups, and
 * writes a `tenant-change-v1` notification to the outbox in the same store write as every change.
 * Errors are status-coded (`ServiceInvocationError`); transports map them.
 *
 * A new tenant's id must not collide with an existing one's in Kafka topic names (`.` and `_` are
 * the same to Kafka): 409 `TENANT.ID_CONFLICT`, a rule Hono does not have.
 *
 * Deleting a tenant deletes no devices or credentials in this write: those belong to the other
 * registry services. The device registration service deletes the tenant's devices when the DELETE
 * notification reaches it (`TenantDeletionHandler`, sending Hono's all-devices-of-tenant-deleted
 * notification), and the credentials service then their credentials; a tenant id created again
 * before that ran keeps only the devices created after it. Hono leaves them in its store. Adapters
 * drop the tenant (and with it its devices) on the DELETE.
 */
@Injectable()
export class TenantManagementService {
  constructor(
    private readonly tenants: TenantRepository,
    // Same-process readers forget a changed tenant at once (others within a second).
    @Optional() private readonly directory?: LocalTenantDirectory,
  ) {}

  /**
   * Creates a tenant; generates a UUID when no id is given. `body` undefined means `{}`.
   * @throws ClientError 400 (invalid id, body or trusted CA), ResourceConflictError 409 (id, alias
   *   or CA subject DN taken; id colliding with another tenant's in Kafka topic names).
   */
  async create(
    tenantId: string | undefined,
    body: unknown,
  ): Promise<{ id: TenantId; version: ResourceVersion }> {
    const id = this.tenantId(tenantId ?? randomUUID());
    const tenant = this.parse(body, id);
    const keys = tenantKeysOf(tenant);
    await this.assertTopicNamesAvailable(id);
    await this.assertKeysAvailable(id, keys);
    const version = await this.tenants.create(id, toDocument(tenant), keys, [
      this.notification('CREATE', id, tenant),
    ]);
    return { id, version: asVersion(version) };
  }

  /** @throws ClientError 400 (invalid id), NotFoundError 404. */
  async read(tenantId: string): Promise<VersionedTenant> {
    const id = this.tenantId(tenantId);
    const stored = await this.tenants.findById(id);
    if (stored === undefined) throw notFound(id);
    return {
      tenant: fromDocument(stored.document),
      version: asVersion(stored.version),
      created: stored.createdAt,
    };
  }

  /**
   * Hono's Tenant API lookup (what adapters ask): by id, also matching an alias, or by the subject
   * DN of a trusted CA. A DN trusted by several tenants (a trust anchor group) finds none, as in
   * Hono, so the adapter falls back to SNI.
   * @returns the tenant, or undefined if none (or more than one) matches.
   * @throws ClientError 400 if the subject DN does not parse.
   */
  async lookup(by: {
    tenantId?: string;
    subjectDn?: string;
  }): Promise<{ id: TenantId; tenant: Tenant } | undefined> {
    if (by.tenantId !== undefined) {
      const stored = await this.tenants.findByIdOrAlias(this.tenantId(by.tenantId));
      return stored && { id: this.tenantId(stored.id), tenant: fromDocument(stored.document) };
    }
    const dn = normalizeDistinguishedName(by.subjectDn ?? '');
    if (dn === undefined)
      throw new ClientError(
        400,
        'TENANT.INVALID_SUBJECT_DN',
        'subject-dn is not a valid distinguished name',
      );
    const found = await this.tenants.findBySubjectDn(dn);
    const [only] = found;
    return found.length === 1 && only
      ? { id: this.tenantId(only.id), tenant: fromDocument(only.document) }
      : undefined;
  }

  /**
   * Replaces a tenant.
   * @param expectedVersion from `If-Match`; undefined writes unconditionally.
   * @throws ClientError 400, NotFoundError 404, ResourceConflictError 409 (alias or CA subject DN
   *   taken) or 412 (version mismatch).
   */
  async update(
    tenantId: string,
    body: unknown,
    expectedVersion: string | undefined,
    options: { keepPlatformFields?: boolean } = {},
  ): Promise<ResourceVersion> {
    const id = this.tenantId(tenantId);
    const tenant = this.parse(body, id);
    const keys = tenantKeysOf(tenant);
    await this.assertKeysAvailable(id, keys);
    const document = toDocument(tenant);
    const expected =
      options.keepPlatformFields === true
        ? await this.assertPlatformFieldsKept(id, document, expectedVersion)
        : expectedVersion;
    const version = await this.tenants.update(id, document, keys, expected, [
      this.notification('UPDATE', id, tenant),
    ]);
    this.directory?.forget(id);
    return asVersion(version);
  }

  /**
   * For tenant admins: refuses an update that changes the quotas or the trust anchor group (joining
   * another tenant's group would let a tenant share, and so shadow, that tenant's CA subject DNs),
   * and pins the update to the version compared, so a concurrent change cannot slip by.
   * @returns the version the update must match.
   * @throws ClientError 403 when such a field would change, NotFoundError 404.
   */
  private async assertPlatformFieldsKept(
    id: TenantId,
    document: JsonObject,
    expectedVersion: string | undefined,
  ): Promise<string> {
    const stored = await this.tenants.findById(id);
    if (stored === undefined) throw notFound(id);
    for (const field of PLATFORM_FIELDS) {
      if (!isDeepStrictEqual(stored.document[field], document[field])) {
        throw new ClientError(
          403,
          'TENANT.PLATFORM_FIELD',
          `only a platform admin may change ${field}`,
          { tenantId: id },
        );
      }
    }
    return expectedVersion ?? stored.version;
  }

  /** @throws ClientError 400, NotFoundError 404, ResourceConflictError 412 (version mismatch). */
  async delete(tenantId: string, expectedVersion: string | undefined): Promise<void> {
    const id = this.tenantId(tenantId);
    await this.tenants.delete(id, expectedVersion, [this.notification('DELETE', id, undefined)]);
    this.directory?.forget(id);
  }

  /**
   * Hono's tenant search over the raw query (`pageSize`, `pageOffset` as a page number, repeatable
   * `filterJson` and `sortJson`). `pageSize=0` returns only the total. With `ids`, only those
   * tenants are searched (the caller's).
   * @throws ClientError 400 (malformed query), NotFoundError 404 when nothing matches.
   */
  async search(rawQuery: unknown, ids?: readonly string[]): Promise<SearchTenantsResult> {
    const parsed = parseOrThrow(SearchTenantsQuerySchema, rawQuery, 'TENANT.INVALID_SEARCH');
    const query = { ...toSearchQuery(parsed), ids };
    // One row is requested for a count-only search: the total comes with the rows.
    const page = await this.tenants.search(
      parsed.pageSize === 0 ? { ...query, pageSize: 1 } : query,
    );
    if (page.total === 0) throw new NotFoundError('TENANT.NOT_FOUND', 'no matching tenants found');
    const result = parsed.pageSize === 0 ? [] : page.result;
    return {
      total: page.total,
      result: result.map((t) => ({ id: t.id, ...t.document }) as unknown as TenantWithId),
    };
  }

  private tenantId(value: string): TenantId {
    return parseOrThrow(TenantIdSchema, value, 'TENANT.INVALID_ID');
  }

  private parse(body: unknown, id: TenantId): Tenant {
    const tenant = parseOrThrow(
      TenantSchema,
      body === undefined ? {} : body,
      'TENANT.MALFORMED',
      id,
    );
    const cas = tenant['trusted-ca'];
    return cas === undefined ? tenant : { ...tenant, 'trusted-ca': completeTrustedCas(cas, id) };
  }

  /**
   * Kafka treats `.` and `_` in topic names as the same character, so tenants `x.y` and `x_y` would
   * fight over `hono.telemetry.x.y` / `hono.telemetry.x_y` (whichever exists first blocks the other):
   * a new id must not equal an existing one once `.` is mapped to `_`. Hono does not check this.
   * Checked before the write, like the subject DNs: two concurrent creates can both pass.
   */
  private async assertTopicNamesAvailable(id: TenantId): Promise<void> {
    // Without . or _ an id maps to itself, and only the same id (the store's 409) can collide.
    if (!/[._]/.test(id)) return;
    const [other] = await this.tenants.findIdsCollidingWith(id);
    if (other !== undefined) {
      throw new ResourceConflictError(
        'TENANT.ID_CONFLICT',
        `tenant id ${id} collides with the existing tenant ${other}: Kafka does not tell . from _ ` +
          'in topic names, so both would use the same hono.telemetry, hono.event and command topics',
        { tenantId: id },
      );
    }
  }

  /**
   * Aliases are unique; CAs of different tenants may share a subject DN only within one trust
   * anchor group. The store's unique alias index stays the authority under concurrent writes; the
   * alias look-up here answers 409 the same way on every store (FerretDB reports a unique index
   * violation of an update as an internal error).
   */
  private async assertKeysAvailable(id: TenantId, keys: TenantKeys): Promise<void> {
    const alias = keys.alias;
    const [aliasHolders, holders] = await Promise.all([
      alias === undefined
        ? undefined
        : this.tenants.search({
            filters: [{ field: '/alias', op: 'eq', value: alias }],
            sort: [],
            pageSize: 2,
            pageOffset: 0,
          }),
      Promise.all(keys.subjectDns.map((dn) => this.tenants.findBySubjectDn(dn))),
    ]);
    if (aliasHolders?.result.some((other) => other.id !== id) === true) {
      throw new ResourceConflictError(
        'TENANT.ALIAS_CONFLICT',
        `a tenant with alias ${alias ?? ''} already exists`,
        { tenantId: id },
      );
    }
    keys.subjectDns.forEach((dn, index) => {
      const conflict = holders[index]?.some(
        (other) =>
          other.id !== id &&
          (keys.trustAnchorGroup === undefined ||
            other.keys.trustAnchorGroup !== keys.trustAnchorGroup),
      );
      if (conflict === true) {
        throw new ResourceConflictError(
          'TENANT.TRUST_ANCHOR_CONFLICT',
          `a trusted CA with subject DN [${dn}] is already used by another tenant`,
          { tenantId: id },
        );
      }
    });
  }

  private notification(
    change: LifecycleChange,
    id: TenantId,
    tenant: Tenant | undefined,
  ): NewOutboxMessage {
    // Like Hono, a DELETE reports the tenant as disabled.
    const enabled = tenant === undefined ? false : (tenant.enabled ?? true);
    const invalidate = tenant?.ext?.['invalidate-cache-on-update'] ?? false;
    return outboxMessageOf(tenantChangeNotification(change, id, enabled, invalidate));
  }
}

function notFound(id: TenantId): NotFoundError {
  return new NotFoundError('TENANT.NOT_FOUND', `tenant ${id} not found`, { tenantId: id });
}
