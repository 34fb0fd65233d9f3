/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

// Log-linear buckets over integer microseconds, like HdrHistogram: exact below 256 µs, then
// 128 buckets per power of two (< 0.8 % error), so memory stays constant however long a run is.
const SUB_BITS = 8;
const SUB = 1 << SUB_BITS;
const HALF = SUB >> 1;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = SUB + (31 - SUB_BITS) * HALF;

function bucketOf(us: number): number {
  if (us < SUB) return us;
  const magnitude = 31 - Math.clz32(us);
  const shift = magnitude - SUB_BITS + 1;
  return SUB + (magnitude - SUB_BITS) * HALF + ((us >>> shift) - HALF);
}

/** Midpoint of a bucket, in microseconds. */
function valueOf(bucket: number): number {
  if (bucket < SUB) return bucket;
  const magnitude = Math.floor((bucket - SUB) / HALF) + SUB_BITS;
  const shift = magnitude - SUB_BITS + 1;
  const lower = ((bucket - SUB) % HALF) + HALF;
  return (lower << shift) + (1 << shift) / 2;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumUs = 0;
  private maxUs = 0;

  recordMs(ms: number): void {
    const us = Math.min(MAX_US, Math.max(0, Math.round(ms * 1000)));
    const bucket = bucketOf(us);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.total++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  get count(): number {
    return this.total;
  }

  percentileMs(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b] ?? 0;
      if (seen >= rank) return Math.min(valueOf(b), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      mean: this.total === 0 ? 0 : this.sumUs / this.total / 1000,
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p99: this.percentileMs(99),
      p999: this.percentileMs(99.9),
      max: this.maxUs / 1000,
    };
  }
}
