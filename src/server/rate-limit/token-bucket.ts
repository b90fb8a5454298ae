/**
 * Token buckets keyed by IP or token id: `burst` requests at once, refilled at `perSecond`.
 * Own code rather than @fastify/rate-limit: two keys per request (address and device token),
 * the injected clock of the tests, and no timers (buckets refill lazily on use; idle ones are
 * swept on the way).
 */
export interface BucketLimit {
  /** Refill rate; 0 or less turns the limit off. */
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;

  constructor(
    private readonly limit: BucketLimit,
    private readonly idleMs: number,
  ) {}

  get enabled(): boolean {
    return this.limit.perSecond > 0;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, now: number): number {
    if (!this.enabled) return 0;
    this.sweep(now);
    const { perSecond, burst } = this.limit;
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: burst, last: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * perSecond);
    b.last = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.idleMs) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (now - b.last >= this.idleMs) this.buckets.delete(key);
  }
}
