import { ClientError, type DataVolume, UNLIMITED } from '@tessera/registry-api';

import { DATA_VOLUME_EXCEEDED } from './adapter.errors';

const DAY_MS = 86_400_000;

/**
 * The start (ms) of the accounting period that contains `now`, Hono's rules: `monthly` periods
 * start on the 1st of each month (UTC), the first one at `effective-since`; `days` periods are
 * `no-of-days` long, counted from `effective-since`. `undefined` before the limit takes effect.
 */
export function periodStart(limit: DataVolume, now: number): number | undefined {
  const since = Date.parse(limit['effective-since']);
  if (Number.isNaN(since) || now < since) return undefined;
  const period = limit.period ?? { mode: 'monthly' as const };
  if (period.mode === 'days') {
    const length = (period['no-of-days'] ?? 30) * DAY_MS;
    return since + Math.floor((now - since) / length) * length;
  }
  const date = new Date(now);
  const month = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return Math.max(month, since);
}

/**
 * Hono's data-volume limit (`resource-limits.data-volume`): the bytes a tenant's devices may
 * upload per accounting period; a message that would exceed it is refused with 429.
 *
 * Hono sums the volume across adapter instances with a Prometheus query; this meter counts what
 * this adapter instance forwarded (no Prometheus needed), so with N instances a tenant may reach up
 * to N × `max-bytes`. Counters are kept per tenant for the current period only.
 */
export class DataVolumeMeter {
  private readonly used = new Map<string, { start: number; bytes: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * @throws ClientError 429 if `bytes` more would exceed the tenant's limit in this period.
   */
  check(tenantId: string, limit: DataVolume | undefined, bytes: number): void {
    const max = limit?.['max-bytes'];
    if (limit === undefined || max === undefined || max === UNLIMITED) return;
    const start = periodStart(limit, this.now());
    if (start === undefined) return;
    const entry = this.used.get(tenantId);
    const used = entry !== undefined && entry.start === start ? entry.bytes : 0;
    if (used + bytes > max) {
      throw new ClientError(
        429,
        DATA_VOLUME_EXCEEDED,
        'the tenant’s data volume for this period is used up',
        { tenantId },
      );
    }
  }

  /** Counts bytes that were forwarded. */
  record(tenantId: string, limit: DataVolume | undefined, bytes: number): void {
    if (limit === undefined || limit['max-bytes'] === UNLIMITED) return;
    const start = periodStart(limit, this.now());
    if (start === undefined) return;
    const entry = this.used.get(tenantId);
    if (entry !== undefined && entry.start === start) entry.bytes += bytes;
    else this.used.set(tenantId, { start, bytes });
  }
}
