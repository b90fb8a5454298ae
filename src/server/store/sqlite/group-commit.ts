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
}

interface Pending<I, R> {
  item: I;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<I, R> {
  private queue: Array<Pending<I, R>> = [];
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions<I, R>) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also used by close()). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.options.maxGroup);
      let outcomes;
      try {
        outcomes = this.options.commit(group.map((p) => p.item));
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
