import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/** The pg pool under a TypeORM data source (same connections, same `search_path`). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** How {@link PointLookup} reads one key, and several keys of one group, by primary key. */
export interface PointLookupSpec<K, R extends QueryResultRow> {
  /** Prefix of the prepared statements' names (unique per statement text on a connection). */
  readonly name: string;
  /** One key; its parameters are `params(key)`. */
  readonly one: string;
  readonly params: (key: K) => unknown[];
  /** Several keys of one group; its parameters are `groupParams(keys)`. */
  readonly many: string;
  readonly groupParams: (keys: readonly K[]) => unknown[];
  /** Keys of one group go into one `many` statement (e.g. the tenant). */
  readonly groupOf: (key: K) => string;
  /** A key's identity within its group, and the same for the row that answers it. */
  readonly idOf: (key: K) => string;
  readonly rowId: (row: R) => string;
}

interface Waiting<K, R> {
  key: K;
  resolve: (row: R | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Point reads on raw `pg` with prepared statements, for the registry APIs' hot path (every
 * adapter request is one). Lookups issued in the same tick, and those arriving while
 * `maxInFlight` statements are already running, go to PostgreSQL together in one statement per
 * group: under load the round trips, socket writes and per-statement work are shared, while a
 * lone lookup still goes out at once. Each statement sees one snapshot, as a single read would.
 */
export class PointLookup<K, R extends QueryResultRow> {
  private queue: Waiting<K, R>[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly pool: () => Pool,
    private readonly spec: PointLookupSpec<K, R>,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 256,
  ) {}

  /** The row for `key`, or undefined; rejects with the driver's error. */
  get(key: K): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current tick's microtasks: the requests decoded from one read all get here.
        process.nextTick(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const taken = this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.slice(taken.length);
      const groups = new Map<string, Waiting<K, R>[]>();
      for (const w of taken) {
        const group = this.spec.groupOf(w.key);
        const members = groups.get(group);
        if (members) members.push(w);
        else groups.set(group, [w]);
      }
      for (const members of groups.values()) this.run(members);
    }
  }

  private run(members: Waiting<K, R>[]): void {
    this.inFlight++;
    const first = members[0];
    const query =
      members.length === 1 && first
        ? this.pool().query<R>({
            name: `${this.spec.name}-one`,
            text: this.spec.one,
            values: this.spec.params(first.key),
          })
        : this.pool().query<R>({
            name: `${this.spec.name}-many`,
            text: this.spec.many,
            values: this.spec.groupParams(members.map((m) => m.key)),
          });
    query.then(
      (result) => {
        this.done();
        const rows = new Map<string, R>();
        for (const row of result.rows) rows.set(this.spec.rowId(row), row);
        const handedOut = new Set<string>();
        for (const m of members) {
          const id = this.spec.idOf(m.key);
          const row = rows.get(id);
          // The same key asked twice in one batch: each caller gets its own copy to own.
          m.resolve(row !== undefined && handedOut.has(id) ? structuredClone(row) : row);
          handedOut.add(id);
        }
      },
      (error: unknown) => {
        this.done();
        // One bad key (e.g. text PostgreSQL cannot store) must not fail the others: alone again.
        if (members.length > 1) for (const m of members) this.run([m]);
        else for (const m of members) m.reject(error);
      },
    );
  }

  private done(): void {
    this.inFlight--;
    if (this.queue.length > 0 && !this.scheduled) this.flush();
  }
}
