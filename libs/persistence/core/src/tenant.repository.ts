import type { NewOutboxMessage, OutboxMessage, OutboxReader } from './outbox';
import type { JsonObject, Page, SearchQuery } from './search';

/** A tenant search, optionally restricted to some tenant ids. */
export interface TenantSearchQuery extends SearchQuery {
  readonly ids?: readonly string[] | undefined;
}

/** The keys a tenant store must index, derived from the document by the tenant service. */
export interface TenantKeys {
  /** Unique across tenants; `get` by id also matches it. */
  readonly alias?: string | undefined;
  /** Tenants sharing a group may trust the same CA subject DN. */
  readonly trustAnchorGroup?: string | undefined;
  /** Subject DNs (RFC 2253) of the tenant's trusted CAs. */
  readonly subjectDns: readonly string[];
}

/** A stored tenant: its document (Hono's JSON), resource version and timestamps. */
export interface StoredTenant {
  readonly id: string;
  readonly version: string;
  readonly document: JsonObject;
  readonly keys: TenantKeys;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * The tenant store port. Both implementations (PostgreSQL, MongoDB) pass the same contract suite
 * (`@tessera/persistence-testing`). Every write is atomic together with the outbox messages passed
 * to it; versions are opaque strings that change on every write.
 */
export abstract class TenantRepository implements OutboxReader {
  /**
   * Stores a new tenant.
   * @returns the new resource version.
   * @throws ResourceConflictError (409) if the id or the alias is taken.
   */
  abstract create(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string>;

  /** The tenant with this id, or undefined. */
  abstract findById(id: string): Promise<StoredTenant | undefined>;

  /** The tenant whose id or alias is `idOrAlias`, or undefined (Hono's Tenant API `get`). */
  abstract findByIdOrAlias(idOrAlias: string): Promise<StoredTenant | undefined>;

  /** Every tenant trusting a CA with this subject DN (more than one only within a trust anchor group). */
  abstract findBySubjectDn(subjectDn: string): Promise<StoredTenant[]>;

  /**
   * The ids of the other stored tenants whose id equals `id` once every `.` is replaced by `_`
   * (`a.b_c` collides with `a_b.c` and `a_b_c`, not with `abc`), in no particular order: Kafka treats `.` and `_` in
   * topic names as the same, so such tenants would share (or block each other's) `hono.*.<tenant>`
   * topics. `id` itself is never in the result.
   */
  abstract findIdsCollidingWith(id: string): Promise<string[]>;

  /**
   * Replaces a tenant's document.
   * @param expectedVersion if given, the write only happens while the stored version equals it.
   * @returns the new resource version.
   * @throws NotFoundError (404) if there is no such tenant; ResourceConflictError (412) on a version
   *   mismatch, (409) if the new alias is taken.
   */
  abstract update(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string>;

  /**
   * Deletes a tenant.
   * @throws NotFoundError (404) if there is no such tenant; ResourceConflictError (412) on a version mismatch.
   */
  abstract delete(
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void>;

  /**
   * Tenants matching every filter, sorted, one page; `total` counts all matches. With `ids`, only
   * those tenants are searched (the ones a management user may see).
   */
  abstract search(query: TenantSearchQuery): Promise<Page<StoredTenant>>;

  abstract pendingNotifications(limit: number): Promise<OutboxMessage[]>;
  abstract acknowledgeNotifications(ids: readonly string[]): Promise<void>;

  /** Releases connections. */
  abstract close(): Promise<void>;
}
