/**
 * `<ondeck-feed>`: the feed as one HTML tag. It creates the on-device feed (createFeed), renders
 * its items as cards in an open shadow root, loads the next page as the reader scrolls, and logs
 * what a real feed logs through feed.track(): viewable impressions, clicks, watch time (from a
 * simulated player), likes and hides.
 *
 *   <ondeck-feed release="/v1/releases/latest" server="/" app-key="demo" count="20"></ondeck-feed>
 *
 * Attributes: release (required), server and app-key (sync; without app-key nothing leaves the
 * device), count, feed-name, sync-mode, backend, database, playback-rate. Themed with CSS custom
 * properties (--ondeck-bg, --ondeck-fg, --ondeck-muted, --ondeck-card-bg, --ondeck-accent,
 * --ondeck-font, --ondeck-radius, --ondeck-gap, --ondeck-card-min-width). Events (bubbling,
 * composed): ondeck-ready, ondeck-error ({name, message, during}), ondeck-page, ondeck-track.
 *
 * The class is built by defineOndeckFeed(), not at import, so importing the client in a place
 * without a DOM (a server render, a Node test) does not throw.
 */
import { FEED_PAGE, type FeedItem, type FeedOptions, type FeedStatus, type SyncStatus, type TrackEvent } from '../core/feed/index.ts';
import { ValidationError } from '../core/errors.ts';
import { SYNC_MODES, type SyncMode } from '../core/sync/wire.ts';
import { createFeed, type Feed } from './create-feed.ts';
import { renderCard } from './ondeck-feed-card.ts';
import { ONDECK_FEED_DEFAULTS, ONDECK_FEED_EVENTS } from './ondeck-feed-defaults.ts';
import { ImpressionTracker } from './ondeck-feed-impressions.ts';
import { SimulatedPlayer } from './ondeck-feed-player.ts';
import { ONDECK_FEED_CSS } from './ondeck-feed-styles.ts';

export interface OndeckFeedElement extends HTMLElement {
  /** The underlying feed once ready, else null. */
  readonly feed: Feed | null;
  /** The items on screen, in order (hidden ones removed). */
  readonly items: readonly FeedItem[];
  status(): Promise<FeedStatus | null>;
  /** Appends the next page (what scrolling to the end does). */
  loadMore(): Promise<void>;
  /** Sends pending events now, when the feed syncs; resolves with the sync status. */
  flush(): Promise<SyncStatus | null>;
  /** Closes the player if open (logging its watch time) and waits until every event is stored. */
  settle(): Promise<void>;
}

export interface OndeckFeedErrorDetail {
  name: string;
  message: string;
  /** What the element was doing: init, next, track or flush. */
  during: 'init' | 'next' | 'track' | 'flush';
}

const OBSERVED = ['release', 'release-key', 'allow-unsigned', 'artifact-hosts', 'server', 'app-key', 'feed-name', 'sync-mode', 'backend', 'database', 'wasm-paths', 'worker-url'] as const;

/**
 * Registers the `<ondeck-feed>` custom element (once) under `tag` and returns its class. The
 * element renders a ranked, infinitely scrolling feed in its own shadow DOM and logs viewable
 * impressions (50% visible for 1 s), clicks, watch time, likes and hides.
 *
 * Attributes: `release` and `release-key` (required; or `allow-unsigned`), `artifact-hosts`,
 * `server` and `app-key` (sync; without `app-key` nothing leaves the device), `count`,
 * `feed-name`, `sync-mode` (`aggregate` | `pseudonymous`), `backend` (`auto` | `webgpu` | `wasm`
 * | `js`), `database`, `wasm-paths`, `worker-url`. Changing any of them but `count` restarts the feed.
 *
 * Events (names in {@link ONDECK_FEED_EVENTS}): `ondeck-ready` (detail: FeedStatus),
 * `ondeck-error` (detail: {@link OndeckFeedErrorDetail}; branch on `detail.name`),
 * `ondeck-page` (detail: `{ items, total }`), `ondeck-track` (detail: TrackEvent).
 *
 * CSS custom properties: `--ondeck-bg`, `--ondeck-fg`, `--ondeck-muted`, `--ondeck-card-bg`,
 * `--ondeck-accent`, `--ondeck-font`, `--ondeck-radius`, `--ondeck-gap`,
 * `--ondeck-card-min-width`. Each card carries `data-ondeck-item="<item id>"`.
 *
 * @example
 * ```html
 * <style>ondeck-feed { --ondeck-accent: #e63946; --ondeck-card-min-width: 220px; }</style>
 * <ondeck-feed release="https://feeds.example.com/v1/releases/latest" release-key="Rg+7SVhJ…"
 *   server="https://feeds.example.com" app-key="demo"></ondeck-feed>
 * <script type="module">
 *   import { defineOndeckFeed, ONDECK_FEED_EVENTS } from 'ondeck';
 *   defineOndeckFeed();
 *   const el = document.querySelector('ondeck-feed');
 *   el.addEventListener(ONDECK_FEED_EVENTS.ready, (e) => console.log('ranking on', e.detail.backends.ranking));
 *   el.addEventListener(ONDECK_FEED_EVENTS.error, (e) => {
 *     if (e.detail.name === 'ReleaseUnavailableError') showOfflineNotice();
 *   });
 * </script>
 * ```
 */
export function defineOndeckFeed(tag = 'ondeck-feed'): CustomElementConstructor {
  const existing = customElements.get(tag);
  if (existing) return existing;
  const ctor = createElementClass();
  customElements.define(tag, ctor);
  return ctor;
}

function numberAttribute(el: HTMLElement, name: string, fallback: number, min: number, max: number): number {
  const raw = el.getAttribute(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ValidationError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** Options for createFeed() from the attributes; throws ValidationError naming the attribute. */
export function feedOptionsFromAttributes(el: HTMLElement, base: string): FeedOptions {
  const release = el.getAttribute('release');
  if (!release) throw new ValidationError('release', 'is required: the URL of a release manifest, e.g. /v1/releases/latest');
  const options: FeedOptions = { release };
  const releaseKey = el.getAttribute('release-key');
  if (releaseKey) options.releaseKey = releaseKey;
  // A boolean attribute: present (any value but "false") allows unsigned releases.
  const allowUnsigned = el.getAttribute('allow-unsigned');
  if (allowUnsigned !== null && allowUnsigned !== 'false') options.allowUnsigned = true;
  const hosts = el.getAttribute('artifact-hosts');
  if (hosts) options.artifactHosts = hosts.split(/[\s,]+/).filter(Boolean);
  const backend = el.getAttribute('backend');
  // The worker checks the value and names the allowed ones.
  if (backend) options.backend = backend as FeedOptions['backend'] & string;
  const database = el.getAttribute('database');
  if (database) options.database = database;
  // Self-hosted runtime files: a folder ending in "/" (resolved against the page by createFeed).
  const wasmPaths = el.getAttribute('wasm-paths');
  if (wasmPaths) options.wasmPaths = wasmPaths;
  const workerUrl = el.getAttribute('worker-url');
  if (workerUrl) options.workerUrl = workerUrl;
  const appKey = el.getAttribute('app-key');
  const server = el.getAttribute('server');
  const mode = el.getAttribute('sync-mode');
  const feedName = el.getAttribute('feed-name');
  if (!appKey) {
    if (server || mode) throw new ValidationError('app-key', 'is required when server or sync-mode is set (the public app key, e.g. "demo")');
    return options;
  }
  if (mode && !(SYNC_MODES as readonly string[]).includes(mode)) {
    throw new ValidationError('sync-mode', `must be one of ${SYNC_MODES.join(', ')}, got "${mode}"`);
  }
  const sync: NonNullable<FeedOptions['sync']> = { appKey };
  if (server) {
    // Absolute and without a trailing slash: the worker resolves nothing against the page.
    const u = new URL(server, base);
    sync.server = u.pathname === '/' && !u.search ? u.origin : u.href.replace(/\/$/, '');
  }
  if (mode) sync.mode = mode as SyncMode;
  if (feedName) sync.feed = feedName;
  options.sync = sync;
  return options;
}

function errorDetail(err: unknown, during: OndeckFeedErrorDetail['during']): OndeckFeedErrorDetail {
  const e = err as { name?: unknown; message?: unknown } | null;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    during,
  };
}

function createElementClass(): CustomElementConstructor {
  const D = ONDECK_FEED_DEFAULTS;

  class OndeckFeed extends HTMLElement implements OndeckFeedElement {
    static get observedAttributes(): readonly string[] {
      return OBSERVED;
    }

    readonly #root: ShadowRoot;
    readonly #grid: HTMLElement;
    readonly #note: HTMLElement;
    readonly #sentinel: HTMLElement;
    readonly #player: SimulatedPlayer;
    #feed: Feed | null = null;
    #items: FeedItem[] = [];
    readonly #cards = new Map<string, HTMLElement>();
    #impressions: ImpressionTracker | null = null;
    #scroll: IntersectionObserver | null = null;
    /** Every track() in order, so an impression is stored before the click that follows it. */
    #tracking: Promise<void> = Promise.resolve();
    #loading: Promise<void> | null = null;
    #ended = false;
    /** Bumped by every (re)start: a slow init that lost the race closes its own feed. */
    #generation = 0;
    #startQueued = false;

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'open' });
      this.#grid = document.createElement('div');
      this.#grid.className = 'grid';
      this.#grid.setAttribute('role', 'feed');
      this.#note = document.createElement('div');
      this.#note.className = 'note';
      this.#note.setAttribute('role', 'status');
      this.#sentinel = document.createElement('div');
      this.#sentinel.className = 'sentinel';
      adoptStyles(this.#root);
      this.#root.append(this.#grid, this.#note, this.#sentinel);
      this.#player = new SimulatedPlayer(this.#root, {
        playbackRate: () => this.#playbackRate(),
        tickMs: D.playerTickMs,
        unknownDurationSeconds: D.unknownDurationSeconds,
        onClose: (item, seconds) => this.#watched(item, seconds),
      });
      this.#grid.addEventListener('click', (e) => this.#onClick(e));
      this.#grid.addEventListener('keydown', (e) => {
        const card = (e.target as Element).closest?.('[data-ondeck-item]');
        if (e.key === 'Enter' && card === e.target) this.#open(card as HTMLElement);
      });
    }

    get feed(): Feed | null {
      return this.#feed;
    }

    get items(): readonly FeedItem[] {
      return this.#items;
    }

    connectedCallback(): void {
      this.#queueStart();
    }

    disconnectedCallback(): void {
      // Moving the element within the page disconnects and reconnects it: keep the feed then.
      queueMicrotask(() => {
        if (!this.isConnected) this.#stop();
      });
    }

    attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
      if (old !== value && this.isConnected) this.#queueStart();
    }

    async status(): Promise<FeedStatus | null> {
      return this.#feed ? this.#feed.status() : null;
    }

    loadMore(): Promise<void> {
      this.#loading ??= this.#loadPage().finally(() => {
        this.#loading = null;
        this.#checkSentinel();
      });
      return this.#loading;
    }

    async flush(): Promise<SyncStatus | null> {
      await this.settle();
      const feed = this.#feed;
      if (!feed) return null;
      try {
        return await feed.flush();
      } catch (err) {
        this.#emitError(err, 'flush');
        throw err;
      }
    }

    async settle(): Promise<void> {
      this.#player.close();
      await this.#tracking;
    }

    #queueStart(): void {
      // Attributes set right after creation arrive one by one: start once, after all of them.
      if (this.#startQueued) return;
      this.#startQueued = true;
      queueMicrotask(() => {
        this.#startQueued = false;
        if (this.isConnected) void this.#start();
      });
    }

    async #start(): Promise<void> {
      const generation = ++this.#generation;
      this.#stop();
      let options: FeedOptions;
      try {
        options = feedOptionsFromAttributes(this, location.href);
      } catch (err) {
        this.#fail(err, 'init');
        return;
      }
      this.#setNote('Loading your feed…');
      let feed: Feed;
      try {
        feed = await createFeed(options);
      } catch (err) {
        if (generation === this.#generation) this.#fail(err, 'init');
        return;
      }
      if (generation !== this.#generation) {
        feed.close();
        return;
      }
      this.#feed = feed;
      this.#impressions = new ImpressionTracker((id) => this.#track({ type: 'impression', itemId: id }), {
        ratio: D.impressionRatio,
        dwellMs: D.impressionMs,
      });
      this.#scroll = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.loadMore();
      }, { rootMargin: `0px 0px ${D.prefetchPx}px 0px` });
      let status: FeedStatus;
      try {
        status = await feed.status();
      } catch (err) {
        this.#fail(err, 'init');
        return;
      }
      this.#emit(ONDECK_FEED_EVENTS.ready, status);
      await this.loadMore();
      this.#scroll.observe(this.#sentinel);
    }

    #stop(): void {
      this.#player.close();
      this.#impressions?.disconnect();
      this.#scroll?.disconnect();
      this.#impressions = null;
      this.#scroll = null;
      const feed = this.#feed;
      this.#feed = null;
      // Let queued events reach IndexedDB before the worker goes.
      if (feed) void this.#tracking.finally(() => feed.close());
      this.#tracking = Promise.resolve();
      this.#items = [];
      this.#cards.clear();
      this.#grid.replaceChildren();
      this.#ended = false;
      this.#setNote('');
    }

    #playbackRate(): number {
      try {
        return numberAttribute(this, 'playback-rate', D.playbackRate, 0.1, 10_000);
      } catch {
        return D.playbackRate;
      }
    }

    #count(): number {
      return Math.round(numberAttribute(this, 'count', FEED_PAGE.count, 1, FEED_PAGE.maxCount));
    }

    async #loadPage(): Promise<void> {
      const feed = this.#feed;
      if (!feed || this.#ended) return;
      let count: number;
      try {
        count = this.#count();
      } catch (err) {
        this.#fail(err, 'next');
        return;
      }
      // Cards on screen that were never viewed are not "seen" by the worker and may come back:
      // ask for that many more and drop the repeats.
      const unviewed = this.#items.filter((x) => !this.#impressions?.reported.has(x.id)).length;
      let page: FeedItem[];
      try {
        page = await feed.next({ count: Math.min(FEED_PAGE.maxCount, count + unviewed) });
      } catch (err) {
        this.#fail(err, 'next');
        return;
      }
      if (feed !== this.#feed) return;
      const fresh = page.filter((x) => !this.#cards.has(x.id)).slice(0, count);
      if (fresh.length === 0) {
        this.#ended = true;
        this.#setNote(this.#items.length ? 'You are all caught up.' : 'Nothing to show yet.');
        return;
      }
      this.#setNote('');
      for (const item of fresh) {
        const card = renderCard(document, item);
        this.#cards.set(item.id, card);
        this.#items.push(item);
        this.#grid.append(card);
        this.#impressions?.observe(card, item.id);
      }
      this.#emit(ONDECK_FEED_EVENTS.page, { items: fresh, total: this.#items.length });
    }

    /** The sentinel may still be in view after a page: IntersectionObserver won't fire again. */
    #checkSentinel(): void {
      if (!this.#feed || this.#ended) return;
      const r = this.#sentinel.getBoundingClientRect();
      if (r.top < innerHeight + D.prefetchPx) requestAnimationFrame(() => void this.loadMore());
    }

    #onClick(e: MouseEvent): void {
      const target = e.target as Element;
      const card = target.closest('[data-ondeck-item]') as HTMLElement | null;
      if (!card) return;
      const action = (target.closest('button[data-action]') as HTMLElement | null)?.dataset['action'];
      const id = card.dataset['ondeckItem']!;
      if (action === 'like') {
        const b = target.closest('button')!;
        if (b.getAttribute('aria-pressed') === 'true') return;
        b.setAttribute('aria-pressed', 'true');
        this.#viewed(card);
        this.#track({ type: 'like', itemId: id });
      } else if (action === 'hide') {
        this.#viewed(card);
        this.#track({ type: 'hide', itemId: id });
        this.#remove(card, id);
      } else {
        this.#open(card);
      }
    }

    #open(card: HTMLElement): void {
      const id = card.dataset['ondeckItem']!;
      const item = this.#items.find((x) => x.id === id);
      if (!item) return;
      this.#viewed(card);
      this.#track({ type: 'click', itemId: id });
      this.#player.open(item);
    }

    /** A card acted on was seen, even if the dwell time was not over: log its impression first. */
    #viewed(card: HTMLElement): void {
      this.#impressions?.reportNow(card);
    }

    #watched(item: FeedItem, seconds: number): void {
      if (!(seconds > 0)) return;
      const watchSeconds = Math.round(seconds * 10) / 10;
      this.#track({ type: 'watch', itemId: item.id, watchSeconds });
      const card = this.#cards.get(item.id);
      const d = item.durationSeconds ?? D.unknownDurationSeconds;
      if (card) {
        let bar = card.querySelector<HTMLElement>('.watched');
        if (!bar) {
          bar = document.createElement('div');
          bar.className = 'watched';
          card.querySelector('.thumb')?.append(bar);
        }
        bar.style.width = `${Math.min(100, (watchSeconds / d) * 100).toFixed(1)}%`;
      }
    }

    #remove(card: HTMLElement, id: string): void {
      this.#impressions?.unobserve(card);
      this.#cards.delete(id);
      this.#items = this.#items.filter((x) => x.id !== id);
      card.classList.add('hiding');
      setTimeout(() => {
        card.remove();
        this.#checkSentinel();
      }, 200);
    }

    #track(event: TrackEvent): void {
      const feed = this.#feed;
      if (!feed) return;
      const stamped: TrackEvent = { ...event, at: event.at ?? Date.now() };
      this.#tracking = this.#tracking.then(async () => {
        try {
          await feed.track(stamped);
          this.#emit(ONDECK_FEED_EVENTS.track, stamped);
        } catch (err) {
          this.#emitError(err, 'track');
        }
      });
    }

    #fail(err: unknown, during: OndeckFeedErrorDetail['during']): void {
      const d = this.#emitError(err, during);
      this.#setNote(`${d.name}: ${d.message}`, true);
    }

    #emitError(err: unknown, during: OndeckFeedErrorDetail['during']): OndeckFeedErrorDetail {
      const detail = errorDetail(err, during);
      this.#emit(ONDECK_FEED_EVENTS.error, detail);
      return detail;
    }

    #emit(type: string, detail: unknown): void {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    #setNote(text: string, error = false): void {
      this.#note.textContent = text;
      this.#note.classList.toggle('error', error);
      this.#note.hidden = text === '';
    }
  }

  return OndeckFeed;
}

/**
 * The element's CSS as a constructed stylesheet: a strict Content-Security-Policy (style-src
 * without 'unsafe-inline') refuses a <style> element but not a sheet adopted by a shadow root.
 * Where constructed sheets are missing (Safari before 16.4), a <style> element.
 */
function adoptStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(ONDECK_FEED_CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = ONDECK_FEED_CSS;
  root.append(style);
}
