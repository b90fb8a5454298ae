/**
 * Token buckets keyed by address or token id: `burst` requests at once, refilled at `perSecond`.
 * Own code rather than @fastify/rate-limit: several keys per request (address, device token,
 * failed keys), the injected clock of the tests, and no timers (buckets refill lazily on use).
 *
 * Memory stays bounded under many keys: the map is kept in least-recently-used order (a bucket is
 * moved to the end when used), each call drops at most a few idle buckets from the front, and
 * beyond `maxBuckets` the least recently used one goes. No call ever walks the whole map.
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

/** Idle buckets dropped per call at most: enough to outpace creation, small enough to stay O(1). */
const SWEEP_PER_CALL = 4;

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #limit: BucketLimit;
  readonly #idleMs: number;
  readonly #maxBuckets: number;

  constructor(
    limit: BucketLimit,
    idleMs: number,
    maxBuckets = 100_000,
  ) {
    this.#limit = limit;
    this.#idleMs = idleMs;
    this.#maxBuckets = maxBuckets;
  }

  get enabled(): boolean {
    return this.#limit.perSecond > 0;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, now: number): number {
    if (!this.enabled) return 0;
    const b = this.#refill(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.#wait(b);
  }

  /** The seconds until `key` has a token (0: it has one now), taking none. */
  peek(key: string, now: number): number {
    if (!this.enabled) return 0;
    const b = this.#buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(this.#limit.burst, b.tokens + ((now - b.last) / 1000) * this.#limit.perSecond);
    return tokens >= 1 ? 0 : this.#wait({ tokens, last: now });
  }

  #wait(b: Bucket): number {
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#limit.perSecond));
  }

  #refill(key: string, now: number): Bucket {
    this.#sweep(now);
    const { perSecond, burst } = this.#limit;
    let b = this.#buckets.get(key);
    if (b) this.#buckets.delete(key);
    else b = { tokens: burst, last: now };
    // Re-inserted at the end: the map stays in least-recently-used order.
    this.#buckets.set(key, b);
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * perSecond);
    b.last = now;
    while (this.#buckets.size > this.#maxBuckets) this.#dropOldest();
    return b;
  }

  /** Drops up to SWEEP_PER_CALL idle buckets from the least recently used end. */
  #sweep(now: number): void {
    for (let i = 0; i < SWEEP_PER_CALL; i++) {
      const first = this.#buckets.entries().next();
      if (first.done || now - first.value[1].last < this.#idleMs) return;
      this.#buckets.delete(first.value[0]);
    }
  }

  #dropOldest(): void {
    const first = this.#buckets.keys().next();
    if (!first.done) this.#buckets.delete(first.value);
  }
}
