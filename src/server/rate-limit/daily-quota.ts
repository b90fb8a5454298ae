/**
 * Rows stored per key (an app key, an address) per UTC day, counted in this process. A restart
 * forgets the day's figures: the quota bounds what one client can make a running server write,
 * it is not an accounting. The map is bounded like the token buckets (least recently used goes).
 */
const DAY_MS = 86_400_000;

interface Used {
  day: number;
  rows: number;
}

export class DailyQuota {
  readonly #used = new Map<string, Used>();
  readonly #perDay: number;
  readonly #maxKeys: number;

  constructor(
    /** Rows per key per day; 0 turns the quota off. */
    perDay: number,
    maxKeys = 100_000,
  ) {
    this.#perDay = perDay;
    this.#maxKeys = maxKeys;
  }

  get enabled(): boolean {
    return this.#perDay > 0;
  }

  /**
   * The seconds until the next UTC day when `rows` more would pass `key`'s quota today, else 0.
   * Counts nothing: a request checks all its quotas first, then counts against all (add).
   */
  check(key: string, rows: number, now: number): number {
    if (!this.enabled) return 0;
    const day = Math.floor(now / DAY_MS);
    const u = this.#used.get(key);
    const used = u && u.day === day ? u.rows : 0;
    return used + rows > this.#perDay ? Math.max(1, Math.ceil(((day + 1) * DAY_MS - now) / 1000)) : 0;
  }

  /** Counts `rows` against `key` today. */
  add(key: string, rows: number, now: number): void {
    if (!this.enabled) return;
    const day = Math.floor(now / DAY_MS);
    let u = this.#used.get(key);
    if (u) this.#used.delete(key);
    if (!u || u.day !== day) u = { day, rows: 0 };
    // Re-inserted at the end: least recently used first, as the token buckets.
    this.#used.set(key, u);
    while (this.#used.size > this.#maxKeys) this.#used.delete(this.#used.keys().next().value!);
    u.rows += rows;
  }
}
