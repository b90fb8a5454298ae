/**
 * Group commit: batches that arrive in the same turn of the event loop are written in one SQLite
 * transaction, so one fsync (synchronous=FULL) makes all of them durable. Each batch still runs
 * in its own savepoint, so a failing batch rolls back alone; every caller is answered only after
 * the outer COMMIT returned, i.e. once its batch is on disk.
 */
export interface GroupCommitOptions<I, R> {
  /** Runs the whole group inside one transaction; returns one outcome per item, in order. */
  commit(items: readonly I[]): Array<{ ok: true; value: R } | { ok: false; error: unknown }>;
  /** Largest group; a longer queue is committed in several transactions. */
  maxGroup: number;
  /**
   * How long the first batch of a group waits for others, in ms (0: until the end of this turn
   * of the event loop). Batches from concurrent connections reach the store a few turns apart
   * (body parsing, auth and validation are asynchronous), so a window of a few ms turns one
   * fsync per batch into one per group (see GROUP_WINDOW_MS in sqlite-store.ts for figures).
   */
  windowMs?: number;
}

interface Pending<I, R> {
  item: I;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<I, R> {
  #queue: Array<Pending<I, R>> = [];
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #options: GroupCommitOptions<I, R>;

  constructor(options: GroupCommitOptions<I, R>) {
    this.#options = options;
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (this.#queue.length >= this.#options.maxGroup) {
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        this.#scheduled = true;
        setImmediate(() => this.flush());
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        const windowMs = this.#options.windowMs ?? 0;
        if (windowMs > 0) {
          this.#timer = setTimeout(() => {
            this.#timer = null;
            this.flush();
          }, windowMs);
        } else setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also used by close()). */
  flush(): void {
    this.#scheduled = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#queue.length > 0) {
      const group = this.#queue.splice(0, this.#options.maxGroup);
      let outcomes;
      try {
        outcomes = this.#options.commit(group.map((p) => p.item));
      } catch (error) {
        // The COMMIT itself failed (disk full, I/O error): nothing of the group is stored.
        for (const p of group) p.reject(error);
        continue;
      }
      group.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
    }
  }
}
