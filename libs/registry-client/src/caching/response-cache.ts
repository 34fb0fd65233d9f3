import type { CacheDirective } from '@tessera/registry-api';
import { observedCounter } from '@tessera/telemetry';

/** Default bound of a {@link ResponseCache}. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/** Default cap of a reply's `max-age` (Hono `responseCacheDefaultTimeout`, 600 s). */
export const DEFAULT_MAX_AGE_CAP_SECONDS = 600;

// Above this many remembered invalidations, forget those older than every load still running.
const PRUNE_THRESHOLD = 1_000;

// Named caches, whose lookups are reported as `tessera.registry_client.cache.lookups` from the
// plain counters each keeps (a synchronous counter cost a hit more than the lookup itself).
const namedCaches = new Set<WeakRef<ResponseCache<unknown>>>();

function reportLookups(report: (total: number, attributes: Record<string, string>) => void): void {
  const totals = new Map<string, { hit: number; miss: number; coalesced: number }>();
  for (const ref of namedCaches) {
    const cache = ref.deref();
    const name = cache?.name;
    if (cache === undefined || name === undefined) {
      namedCaches.delete(ref);
      continue;
    }
    const stats = cache.stats();
    const sum = totals.get(name) ?? { hit: 0, miss: 0, coalesced: 0 };
    sum.hit += stats.hits;
    sum.miss += stats.misses;
    sum.coalesced += stats.coalesced;
    totals.set(name, sum);
  }
  for (const [cache, sum] of totals) {
    report(sum.hit, { cache, result: 'hit' });
    report(sum.miss, { cache, result: 'miss' });
    report(sum.coalesced, { cache, result: 'coalesced' });
  }
}

/** Options of a {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Most entries kept; the least recently used one goes first. Default {@link DEFAULT_MAX_ENTRIES}. */
  readonly maxEntries?: number;
  /** Longest time (s) an entry is kept, whatever `max-age` says. Default {@link DEFAULT_MAX_AGE_CAP_SECONDS}. */
  readonly maxAgeCapSeconds?: number;
  /** The clock in epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
  /** The `cache` label of the hit/miss metric (e.g. `tenant`); without it nothing is counted. */
  readonly name?: string;
}

/** What a loader of a {@link ResponseCache} resolves to. */
export interface Cacheable<R> {
  /** The result handed to every caller waiting for the load. */
  readonly result: R;
  /**
   * Whether and how long `result` may be cached: only `max-age=N` with N > 0 stores it, for
   * min(N, cap) seconds; `no-cache` or `undefined` (no or unknown `cache_control`, or a reply
   * that must not be cached) does not.
   */
  readonly cacheDirective: CacheDirective | undefined;
  /** The tags {@link ResponseCache.invalidate} finds the entry by (e.g. its tenant and devices). */
  readonly tags: readonly string[];
}

/** Counters of a {@link ResponseCache}, for metrics. All but `size` only grow. */
export interface ResponseCacheStats {
  /** Calls answered from a live entry. */
  readonly hits: number;
  /** Calls that started a load (no live entry, no load to share). */
  readonly misses: number;
  /** Calls that shared a load already running for the same key. */
  readonly coalesced: number;
  /** Entries dropped to stay within `maxEntries`. */
  readonly evictions: number;
  /** Entries found expired and dropped. */
  readonly expirations: number;
  /** Entries dropped by {@link ResponseCache.invalidate} or {@link ResponseCache.clear}. */
  readonly invalidations: number;
  /** Loaded results not stored because an invalidation concerning them arrived while loading. */
  readonly discarded: number;
  /** Entries held now (expired ones included until they are found or evicted). */
  readonly size: number;
}

interface Entry<R> {
  readonly value: R;
  readonly expiresAt: number;
  readonly tags: readonly string[];
  /** The epoch the load that produced the entry started in. */
  readonly epoch: number;
}

interface Load<R> {
  readonly promise: Promise<R>;
  readonly epoch: number;
}

/**
 * A bounded (LRU) cache of registry replies with per-entry TTL from the reply's cache directive,
 * coalescing of concurrent misses, and invalidation by tag.
 *
 * Invalidation is safe against loads in flight: every invalidation starts a new *epoch*; a load
 * remembers the epoch it started in, and its result is not stored if, meanwhile, one of the
 * result's tags (known only once the reply is in, e.g. the device of a credentials reply) was
 * invalidated or the cache was cleared. Calls arriving after any invalidation of this cache never
 * join a load started before it (they may cost an extra request, but never get stale data).
 */
export class ResponseCache<R> {
  private readonly maxEntries: number;
  private readonly maxAgeCapMs: number;
  private readonly now: () => number;
  /** In LRU order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry<R>>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly loads = new Map<string, Load<R>>();
  /** Start epoch → number of loads running that started in it. */
  private readonly running = new Map<number, number>();
  /** Tag → epoch of its last invalidation; only kept while loads are running. */
  private readonly invalidatedAt = new Map<string, number>();
  private epoch = 0;
  private clearedAt = 0;
  private readonly counters = {
    hits: 0,
    misses: 0,
    coalesced: 0,
    evictions: 0,
    expirations: 0,
    invalidations: 0,
    discarded: 0,
  };

  /** The `cache` label of its lookups in the metrics; none: not reported. */
  readonly name: string | undefined;

  /** @throws RangeError if `maxEntries` is not a positive integer or `maxAgeCapSeconds` is negative. */
  constructor(options: ResponseCacheOptions = {}) {
    this.name = options.name;
    if (this.name !== undefined) {
      namedCaches.add(new WeakRef(this));
      observedCounter(
        'tessera.registry_client.cache.lookups',
        'Registry client cache lookups by cache and result (hit, miss, coalesced)',
        reportLookups,
      );
    }
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const cap = options.maxAgeCapSeconds ?? DEFAULT_MAX_AGE_CAP_SECONDS;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${String(this.maxEntries)}`);
    }
    if (!(cap >= 0)) throw new RangeError(`maxAgeCapSeconds must be >= 0, got ${String(cap)}`);
    this.maxAgeCapMs = cap * 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Answers from a live entry, or shares a load running for `key`, or runs `load`.
   *
   * @param key the cache key of the request.
   * @param load fetches the result; called at most once per call, never for a hit.
   * @returns the result; a rejected load rejects every caller sharing it and caches nothing.
   */
  get(key: string, load: () => Promise<Cacheable<R>>): Promise<R> {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      if (this.now() < entry.expiresAt) {
        this.counters.hits++;
        this.entries.delete(key);
        this.entries.set(key, entry);
        return Promise.resolve(entry.value);
      }
      this.remove(key, entry);
      this.counters.expirations++;
    }
    const running = this.loads.get(key);
    if (running !== undefined && running.epoch === this.epoch) {
      this.counters.coalesced++;
      return running.promise;
    }
    this.counters.misses++;
    return this.startLoad(key, load);
  }

  /**
   * Drops every entry with `tag`, and keeps loads running now from storing a result with it.
   *
   * @returns the number of entries dropped.
   */
  invalidate(tag: string): number {
    this.epoch++;
    if (this.running.size > 0) {
      this.invalidatedAt.set(tag, this.epoch);
      if (this.invalidatedAt.size > PRUNE_THRESHOLD) this.prune();
    }
    const keys = this.keysByTag.get(tag);
    if (keys === undefined) return 0;
    let dropped = 0;
    for (const key of [...keys]) {
      const entry = this.entries.get(key);
      if (entry === undefined) continue;
      this.remove(key, entry);
      dropped++;
    }
    this.counters.invalidations += dropped;
    return dropped;
  }

  /** Drops every entry, and keeps loads running now from storing their results. */
  clear(): void {
    this.epoch++;
    this.clearedAt = this.epoch;
    this.counters.invalidations += this.entries.size;
    this.entries.clear();
    this.keysByTag.clear();
  }

  /** The counters so far. */
  stats(): ResponseCacheStats {
    return { ...this.counters, size: this.entries.size };
  }

  private startLoad(key: string, load: () => Promise<Cacheable<R>>): Promise<R> {
    const epoch = this.epoch;
    this.running.set(epoch, (this.running.get(epoch) ?? 0) + 1);
    // Started in a later microtask, so that a loader throwing synchronously still settles here.
    const promise: Promise<R> = Promise.resolve()
      .then(load)
      .then((loaded) => {
        this.store(key, loaded, epoch);
        return loaded.result;
      })
      .finally(() => {
        this.settle(key, promise, epoch);
      });
    this.loads.set(key, { promise, epoch });
    return promise;
  }

  private store(key: string, loaded: Cacheable<R>, epoch: number): void {
    const ttlMs = this.ttlMs(loaded.cacheDirective);
    if (ttlMs <= 0) return;
    if (
      this.clearedAt > epoch ||
      loaded.tags.some((t) => (this.invalidatedAt.get(t) ?? 0) > epoch)
    ) {
      this.counters.discarded++;
      return;
    }
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      // A load that started after this one has stored a fresher answer already.
      if (existing.epoch > epoch) return;
      this.remove(key, existing);
    }
    this.entries.set(key, {
      value: loaded.result,
      expiresAt: this.now() + ttlMs,
      tags: loaded.tags,
      epoch,
    });
    for (const tag of loaded.tags) {
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.remove(oldestKey, oldest);
      this.counters.evictions++;
    }
  }

  private settle(key: string, promise: Promise<R>, epoch: number): void {
    if (this.loads.get(key)?.promise === promise) this.loads.delete(key);
    const count = (this.running.get(epoch) ?? 1) - 1;
    if (count > 0) this.running.set(epoch, count);
    else this.running.delete(epoch);
    if (this.running.size === 0) this.invalidatedAt.clear();
  }

  /** Forgets invalidations older than the oldest running load: they cannot concern any load. */
  private prune(): void {
    let oldest = Infinity;
    for (const epoch of this.running.keys()) oldest = Math.min(oldest, epoch);
    for (const [tag, at] of this.invalidatedAt) if (at <= oldest) this.invalidatedAt.delete(tag);
  }

  private ttlMs(directive: CacheDirective | undefined): number {
    if (directive?.kind !== 'max-age') return 0;
    return Math.min(directive.maxAgeSeconds * 1000, this.maxAgeCapMs);
  }

  private remove(key: string, entry: Entry<R>): void {
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}
