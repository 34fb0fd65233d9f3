import { randomUUID } from 'node:crypto';

import {
  type JsonObject,
  type JsonValue,
  matchesFilter,
  type NewOutboxMessage,
  type OutboxMessage,
  type Page,
  PersistenceErrors,
  type TenantSearchQuery,
  type StoredTenant,
  type TenantKeys,
  TenantRepository,
  valueAt,
} from '@tessera/persistence';

function compare(a: JsonValue | undefined, b: JsonValue | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : 1;
}

/** Runs `operation` and hands its result or error over as a promise, as a store would. */
function settle<T>(operation: () => T): Promise<T> {
  try {
    return Promise.resolve(operation());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/** A TenantRepository in a Map, for unit tests of the service (same error contract as the stores). */
export class InMemoryTenantRepository extends TenantRepository {
  readonly tenants = new Map<string, StoredTenant>();
  readonly outbox: OutboxMessage[] = [];

  create(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    return settle(() => {
      if (this.tenants.has(id)) throw PersistenceErrors.duplicate('tenant', 'with this id');
      this.assertAliasFree(id, keys);
      const version = randomUUID();
      const now = new Date();
      this.tenants.set(id, { id, version, document, keys, createdAt: now, updatedAt: now });
      this.append(outbox);
      return version;
    });
  }

  findById(id: string): Promise<StoredTenant | undefined> {
    return settle(() => this.tenants.get(id));
  }

  findByIdOrAlias(idOrAlias: string): Promise<StoredTenant | undefined> {
    return settle(
      () =>
        this.tenants.get(idOrAlias) ??
        [...this.tenants.values()].find((t) => t.keys.alias === idOrAlias),
    );
  }

  findBySubjectDn(subjectDn: string): Promise<StoredTenant[]> {
    return settle(() =>
      [...this.tenants.values()].filter((t) => t.keys.subjectDns.includes(subjectDn)),
    );
  }

  findIdsCollidingWith(id: string): Promise<string[]> {
    const topicName = (tenantId: string): string => tenantId.replaceAll('.', '_');
    return settle(() =>
      [...this.tenants.keys()].filter(
        (other) => other !== id && topicName(other) === topicName(id),
      ),
    );
  }

  update(
    id: string,
    document: JsonObject,
    keys: TenantKeys,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<string> {
    return settle(() => {
      const current = this.current(id, expectedVersion);
      this.assertAliasFree(id, keys);
      const version = randomUUID();
      this.tenants.set(id, { ...current, version, document, keys, updatedAt: new Date() });
      this.append(outbox);
      return version;
    });
  }

  delete(
    id: string,
    expectedVersion: string | undefined,
    outbox: readonly NewOutboxMessage[],
  ): Promise<void> {
    return settle(() => {
      this.current(id, expectedVersion);
      this.tenants.delete(id);
      this.append(outbox);
    });
  }

  search(query: TenantSearchQuery): Promise<Page<StoredTenant>> {
    return settle(() => {
      const matches = [...this.tenants.values()]
        .filter((t) => query.ids === undefined || query.ids.includes(t.id))
        .filter((t) => query.filters.every((f) => matchesFilter(t.document, f)))
        .sort((a, b) => {
          for (const s of query.sort) {
            const order = compare(valueAt(a.document, s.field), valueAt(b.document, s.field));
            if (order !== 0) return s.direction === 'asc' ? order : -order;
          }
          return a.id.localeCompare(b.id);
        });
      return {
        total: matches.length,
        result: matches.slice(query.pageOffset, query.pageOffset + query.pageSize),
      };
    });
  }

  pendingNotifications(limit: number): Promise<OutboxMessage[]> {
    return settle(() => this.outbox.slice(0, limit));
  }

  acknowledgeNotifications(ids: readonly string[]): Promise<void> {
    return settle(() => {
      const acknowledged = new Set(ids);
      const pending = this.outbox.filter((m) => !acknowledged.has(m.id));
      this.outbox.splice(0, this.outbox.length, ...pending);
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private current(id: string, expectedVersion: string | undefined): StoredTenant {
    const current = this.tenants.get(id);
    if (current === undefined) throw PersistenceErrors.notFound('tenant', id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw PersistenceErrors.versionMismatch('tenant', id);
    }
    return current;
  }

  private assertAliasFree(id: string, keys: TenantKeys): void {
    const alias = keys.alias;
    if (alias === undefined) return;
    if ([...this.tenants.values()].some((t) => t.id !== id && t.keys.alias === alias)) {
      throw PersistenceErrors.duplicate('tenant', 'with this alias');
    }
  }

  private append(outbox: readonly NewOutboxMessage[]): void {
    for (const m of outbox) this.outbox.push({ ...m, id: randomUUID(), createdAt: new Date() });
  }
}
