/**
 * At most one syncing tab per database. Every tab (every feed worker) runs a queue over the same
 * IndexedDB log; the Web Lock `ondeck-sync:<database>` makes them take turns, so two tabs never
 * send the same batch at once or build two batches from the same events. The browser releases
 * the lock when its holder's worker or tab goes away, so a closed tab never blocks the others.
 */
export interface SyncLock {
  /**
   * Runs `body` while holding the lock. `wait` false: give up at once when another holder has it
   * (background attempts); true: wait for it (an explicit flush) until `signal` aborts (the queue
   * stops). Resolves `{ ran: false }` when it gave up.
   */
  run<T>(wait: boolean, body: () => Promise<T>, signal?: AbortSignal): Promise<{ ran: true; value: T } | { ran: false }>;
}

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/** The Web Locks API (navigator.locks), or null where there is none (Node, old webviews). */
export function webLockManager(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

export function webLock(manager: LockManagerLike, name: string): SyncLock {
  return {
    async run(wait, body, signal) {
      // The API refuses ifAvailable together with a signal: only a waiting request can be aborted.
      const options = wait ? (signal ? { signal } : {}) : { ifAvailable: true };
      return manager.request(name, options, async (lock) => {
        if (lock === null) return { ran: false as const };
        return { ran: true as const, value: await body() };
      });
    },
  };
}

const held = new Map<string, Promise<unknown>>();

/**
 * The same within one JavaScript realm: queues of one process (Node tests, a page without Web
 * Locks) over one log take turns. Across tabs without Web Locks nothing excludes them; the
 * server's dedupe by batch id still stores each batch once.
 */
export function memoryLock(name: string): SyncLock {
  return {
    async run(wait, body) {
      if (!wait && held.has(name)) return { ran: false };
      // Chain behind the current holder; each holder removes itself only if it is still the last.
      const before = held.get(name) ?? Promise.resolve();
      const mine = before.catch(() => undefined).then(body);
      held.set(name, mine);
      try {
        return { ran: true, value: await mine };
      } finally {
        if (held.get(name) === mine) held.delete(name);
      }
    },
  };
}
