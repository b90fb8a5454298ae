/**
 * What next() needs of the history (the newest entries, the seen and hidden sets), read from
 * IndexedDB once and then kept in step with this feed's own track() calls. Three IndexedDB reads
 * per feed cost about 5 ms of the 20 ms budget; the log only changes when someone tracks.
 *
 * Other tabs of the same origin write the same database: each view announces its appends on a
 * BroadcastChannel named after the database, and a view that hears one reloads before its next
 * read. Eviction and re-embedding change what is stored behind the view's back, so the view
 * reloads after them too (and after every `reloadEvery` own appends, which bounds any drift).
 */
import type { HistoryEntry } from '../../src/core/features/index.ts';
import type { HistoryStore, StoredEvent } from '../history/index.ts';

const SEEN_TYPES = new Set(['impression', 'click', 'watch', 'like', 'skip']);

export interface HistorySnapshot {
  /** Oldest first. Shared with the view: read it, never change it. */
  entries: HistoryEntry[];
  seen: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
  /** Changes whenever the content changes: the user vector is cached against it. */
  version: number;
}

export class HistoryView {
  readonly #history: () => HistoryStore;
  readonly #limit: number;
  readonly #reloadEvery: number;
  readonly #channel: BroadcastChannel | null;
  #loaded: { entries: HistoryEntry[]; seen: Set<string>; hidden: Set<string> } | null = null;
  #loading: Promise<void> | null = null;
  #version = 0;
  #appendsSinceLoad = 0;

  constructor(history: () => HistoryStore, options: { limit: number; reloadEvery: number; channelName: string }) {
    this.#history = history;
    this.#limit = options.limit;
    this.#reloadEvery = options.reloadEvery;
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(options.channelName) : null;
    if (this.#channel) this.#channel.onmessage = () => this.invalidate();
  }

  async read(): Promise<HistorySnapshot> {
    while (!this.#loaded) {
      this.#loading ??= this.#load().finally(() => (this.#loading = null));
      await this.#loading;
    }
    const { entries, seen, hidden } = this.#loaded;
    return { entries, seen, hidden, version: this.#version };
  }

  /** This feed appended `event`: fold it in (and tell the other tabs). */
  appended(event: StoredEvent): void {
    this.#channel?.postMessage({ seq: event.seq });
    if (!this.#loaded || ++this.#appendsSinceLoad >= this.#reloadEvery) return this.invalidate();
    const { entries, seen, hidden } = this.#loaded;
    const entry: HistoryEntry = { item: event.item, type: event.type, at: event.at };
    if (event.watchFraction !== undefined) entry.watchFraction = event.watchFraction;
    entries.push(entry);
    if (entries.length > this.#limit) entries.splice(0, entries.length - this.#limit);
    if (SEEN_TYPES.has(event.type)) seen.add(event.itemId);
    if (event.type === 'hide') hidden.add(event.itemId);
    this.#version++;
  }

  /** The store changed in ways the view cannot follow (another tab, eviction, re-embedding, forget). */
  invalidate(): void {
    this.#loaded = null;
    this.#version++;
  }

  close(): void {
    this.#channel?.close();
  }

  async #load(): Promise<void> {
    const history = this.#history();
    const version = this.#version;
    const [entries, seen, hidden] = await Promise.all([
      history.historyEntries(this.#limit, { includeStale: true }),
      history.seen(),
      history.hidden(),
    ]);
    // An append or invalidation that landed while reading makes this read stale: read again.
    if (version !== this.#version) return;
    this.#loaded = { entries, seen, hidden };
    this.#appendsSinceLoad = 0;
  }
}
