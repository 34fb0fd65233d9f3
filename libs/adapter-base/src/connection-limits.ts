import { type ServiceInvocationError, type TenantObject, UNLIMITED } from '@tessera/registry-api';

import {
  ADAPTER_CONNECTIONS_EXCEEDED,
  adapterConnectionsExceeded,
  CONNECTION_RATE_EXCEEDED,
  connectionRateExceeded,
  DATA_VOLUME_EXCEEDED,
  TENANT_CONNECTIONS_EXCEEDED,
  tenantConnectionsExceeded,
} from './adapter.errors';

/** Options of {@link TokenBuckets}. */
export interface TokenBucketsOptions {
  /** Tokens a bucket gains per second (> 0). */
  readonly ratePerSecond: number;
  /** Tokens a bucket holds at most (≥ 1): how many takes a quiet key may make at once. */
  readonly burst: number;
  /**
   * Keys tracked at most. A new key beyond that is let through untracked, as a fresh bucket
   * would be, until quiet buckets were dropped. Default 100,000.
   */
  readonly maxKeys?: number;
  /** A monotonic clock in ms (default `performance.now`). */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: each take costs one token, and tokens come back at a steady rate up to
 * the burst. Buckets that have filled up again are dropped (a fresh bucket is the same), so memory
 * follows the keys seen within one refill period, not every key ever seen.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** How long an empty bucket takes to fill (ms): the sweep period. */
  private readonly refillMs: number;
  private lastSweep: number;

  constructor(options: TokenBucketsOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive number');
    }
    if (!Number.isInteger(options.burst) || options.burst < 1) {
      throw new RangeError('burst must be an integer ≥ 1');
    }
    this.perSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? (() => performance.now());
    this.refillMs = (this.burst * 1_000) / this.perSecond;
    this.lastSweep = this.now();
  }

  /** Takes a token of `key`'s bucket; `false` (and nothing taken) if the bucket is empty. */
  tryTake(key: string): boolean {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size < this.maxKeys) {
        this.buckets.set(key, { tokens: this.burst - 1, at: now });
      }
      return true;
    }
    const tokens = this.tokensOf(bucket, now);
    bucket.at = now;
    if (tokens < 1) {
      bucket.tokens = tokens;
      return false;
    }
    bucket.tokens = tokens - 1;
    return true;
  }

  /** Buckets currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private tokensOf(bucket: Bucket, now: number): number {
    const refill = (Math.max(0, now - bucket.at) * this.perSecond) / 1_000;
    return Math.min(this.burst, bucket.tokens + refill);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.refillMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (this.tokensOf(bucket, now) >= this.burst) this.buckets.delete(key);
    }
  }
}

/** Options of {@link ConnectionLimits}. */
export interface ConnectionLimitsOptions {
  /** Connections this adapter instance holds at most (those past CONNECT and being checked included). */
  readonly maxConnections: number;
  /**
   * Connection attempts per claimed tenant: a token bucket of `burst` refilled at `perSecond`;
   * `undefined` for no rate limit.
   */
  readonly connectRate?: { readonly perSecond: number; readonly burst: number } | undefined;
  /** A monotonic clock in ms, for the rate limit (default `performance.now`). */
  readonly now?: () => number;
}

/** The place one connection holds in {@link ConnectionLimits}, from its admission to its end. */
export interface ConnectionSlot {
  /**
   * Counts the connection for its (authenticated) tenant, if the tenant's
   * `resource-limits.max-connections` allows one more. Does nothing once released, so a check
   * finishing after its connection closed cannot leak a count.
   * @throws ClientError 403 `TENANT.CONNECTIONS_EXCEEDED` if the tenant has that many already.
   */
  joinTenant(tenant: TenantObject): void;
  /** Gives the place back (the adapter's and the tenant's). Idempotent. */
  release(): void;
}

/** The tenant's `resource-limits.max-connections`; `undefined` for no limit (absent or -1). */
export function maxConnectionsOf(tenant: TenantObject): number | undefined {
  const max = tenant['resource-limits']?.['max-connections'];
  return max === undefined || max === UNLIMITED ? undefined : max;
}

/**
 * The connection limits of a connection-oriented adapter instance: its own maximum of
 * connections, a connection rate per claimed tenant (checked before the costly authentication),
 * and each tenant's `resource-limits.max-connections`.
 *
 * Hono sums a tenant's connections across adapter instances with a Prometheus query; these limits
 * count the connections of this instance only (no Prometheus needed, no query per CONNECT), so with
 * N instances a tenant may hold up to N × `max-connections`.
 */
export class ConnectionLimits {
  private total = 0;
  private readonly perTenant = new Map<string, number>();
  private readonly rate: TokenBuckets | undefined;

  constructor(private readonly options: ConnectionLimitsOptions) {
    const rate = options.connectRate;
    this.rate =
      rate === undefined
        ? undefined
        : new TokenBuckets({
            ratePerSecond: rate.perSecond,
            burst: rate.burst,
            ...(options.now !== undefined && { now: options.now }),
          });
  }

  /** Connections holding a slot. */
  get connections(): number {
    return this.total;
  }

  /** Connections counted for the tenant. */
  tenantConnections(tenantId: string): number {
    return this.perTenant.get(tenantId) ?? 0;
  }

  /**
   * Admits a connection attempt, before authentication. `claimedTenant` is what the client
   * claims to be (the tenant of its user name, its certificate's issuer), so the rate limit holds
   * against attempts that will fail authentication too.
   * @throws ServerError 503 `ADAPTER.CONNECTIONS_EXCEEDED` if the instance is full; ClientError 429
   *   `TENANT.CONNECTION_RATE_EXCEEDED` if the claimed tenant's attempts exceed the rate.
   */
  admit(claimedTenant: string | undefined): ConnectionSlot {
    if (this.total >= this.options.maxConnections) throw adapterConnectionsExceeded();
    if (
      claimedTenant !== undefined &&
      this.rate !== undefined &&
      !this.rate.tryTake(claimedTenant)
    ) {
      throw connectionRateExceeded();
    }
    this.total++;
    let released = false;
    let tenantId: string | undefined;
    return {
      joinTenant: (tenant) => {
        if (released || tenantId !== undefined) return;
        const id = tenant['tenant-id'];
        const max = maxConnectionsOf(tenant);
        const current = this.tenantConnections(id);
        if (max !== undefined && current >= max) throw tenantConnectionsExceeded(id);
        this.perTenant.set(id, current + 1);
        tenantId = id;
      },
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        if (tenantId === undefined) return;
        const left = this.tenantConnections(tenantId) - 1;
        if (left > 0) this.perTenant.set(tenantId, left);
        else this.perTenant.delete(tenantId);
      },
    };
  }
}

/**
 * Hono's `ConnectionAttemptOutcome` of a refused connection attempt (the `outcome` of the
 * `hono.connections.attempts` metric), plus `connection-rate-exceeded` of the rate limit.
 */
export function connectionAttemptOutcome(error: ServiceInvocationError): string {
  switch (error.code) {
    case ADAPTER_CONNECTIONS_EXCEEDED:
      return 'adapter-connections-exceeded';
    case TENANT_CONNECTIONS_EXCEEDED:
      return 'tenant-connections-exceeded';
    case DATA_VOLUME_EXCEEDED:
      return 'data-volume-exceeded';
    case CONNECTION_RATE_EXCEEDED:
      return 'connection-rate-exceeded';
    case 'ADAPTER.DISABLED':
    case 'TENANT.DISABLED':
      return 'adapter-disabled';
  }
  if (error.status === 401 || error.status === 403) return 'unauthorized';
  if (error.status === 404) return 'registration-assertion-failure';
  if (error.status === 503) return 'unavailable';
  return 'unknown';
}
