/**
 * The simulated player of `<ondeck-feed>`: opening a card "plays" it (a progress bar over the
 * item's art, content time advancing at `playbackRate` seconds per real second), and closing it
 * reports the seconds watched, as a real player would report its watch time.
 */
import type { FeedItem } from '../core/feed/index.ts';
import { formatDuration, renderThumb } from './ondeck-feed-card.ts';

export interface PlayerOptions {
  /** Content seconds per real second, read at every tick (the host may change it). */
  playbackRate: () => number;
  tickMs: number;
  unknownDurationSeconds: number;
  /** Called once per opened item, on close, with the content seconds watched (may be 0). */
  onClose: (item: FeedItem, watchSeconds: number) => void;
}

export class SimulatedPlayer {
  #overlay: HTMLElement | null = null;
  #item: FeedItem | null = null;
  #watched = 0;
  #playing = false;
  #lastTick = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #bar: HTMLElement | null = null;
  #time: HTMLElement | null = null;
  #state: HTMLElement | null = null;
  #toggle: HTMLButtonElement | null = null;
  readonly #onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') this.close();
    else if (e.key === ' ' && this.#overlay) {
      e.preventDefault();
      this.toggle();
    }
  };
  readonly #root: ShadowRoot;
  readonly #options: PlayerOptions;

  constructor(
    root: ShadowRoot,
    options: PlayerOptions,
  ) {
    this.#root = root;
    this.#options = options;
  }

  get item(): FeedItem | null {
    return this.#item;
  }

  /** Content seconds watched so far of the open item. */
  get watchSeconds(): number {
    this.#advance();
    return this.#watched;
  }

  open(item: FeedItem): void {
    this.close();
    const doc = this.#root.ownerDocument;
    this.#item = item;
    this.#watched = 0;
    const overlay = doc.createElement('div');
    overlay.className = 'player';
    overlay.dataset['ondeckPlayer'] = item.id;
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', `Playing ${item.title}`);
    const box = doc.createElement('div');
    box.className = 'player-box';
    const thumb = renderThumb(doc, item);
    const state = doc.createElement('div');
    state.className = 'play-state';
    thumb.append(state);
    const progress = doc.createElement('div');
    progress.className = 'progress';
    const bar = doc.createElement('div');
    progress.append(bar);
    const info = doc.createElement('div');
    info.className = 'player-info';
    const title = doc.createElement('h3');
    title.className = 'title';
    title.textContent = item.title;
    const row = doc.createElement('div');
    row.className = 'player-row';
    const time = doc.createElement('span');
    time.className = 'time';
    const buttons = doc.createElement('div');
    buttons.className = 'actions';
    const toggle = doc.createElement('button');
    toggle.type = 'button';
    toggle.dataset['action'] = 'toggle';
    toggle.addEventListener('click', () => this.toggle());
    const close = doc.createElement('button');
    close.type = 'button';
    close.dataset['action'] = 'close';
    close.textContent = 'Close';
    close.addEventListener('click', () => this.close());
    buttons.append(toggle, close);
    row.append(time, buttons);
    info.append(title, row);
    box.append(thumb, progress, info);
    overlay.append(box);
    // A click on the backdrop (not the box) closes, as users expect of a modal.
    overlay.addEventListener('click', (e) => {
      if (e.target === overlay) this.close();
    });
    this.#root.append(overlay);
    this.#overlay = overlay;
    this.#bar = bar;
    this.#time = time;
    this.#state = state;
    this.#toggle = toggle;
    doc.addEventListener('keydown', this.#onKey);
    this.#play();
    close.focus();
  }

  toggle(): void {
    if (!this.#overlay) return;
    if (this.#playing) this.#pause();
    else {
      if (this.#watched >= this.#duration()) this.#watched = 0;
      this.#play();
    }
  }

  /** Closes the player and reports the watch time of the item it showed. */
  close(): void {
    if (!this.#overlay || !this.#item) return;
    this.#advance();
    this.#stopTimer();
    this.#root.ownerDocument.removeEventListener('keydown', this.#onKey);
    this.#overlay.remove();
    const item = this.#item;
    const watched = this.#watched;
    this.#overlay = this.#item = this.#bar = this.#time = this.#state = this.#toggle = null;
    this.#options.onClose(item, watched);
  }

  #duration(): number {
    const d = this.#item?.durationSeconds;
    return d && d > 0 ? d : this.#options.unknownDurationSeconds;
  }

  #play(): void {
    this.#playing = true;
    this.#lastTick = performance.now();
    this.#timer ??= setInterval(() => this.#render(), this.#options.tickMs);
    this.#render();
  }

  #pause(): void {
    this.#advance();
    this.#playing = false;
    this.#stopTimer();
    this.#render();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #advance(): void {
    if (!this.#playing) return;
    const now = performance.now();
    this.#watched = Math.min(this.#duration(), this.#watched + ((now - this.#lastTick) / 1000) * this.#options.playbackRate());
    this.#lastTick = now;
    if (this.#watched >= this.#duration()) {
      this.#playing = false;
      this.#stopTimer();
    }
  }

  #render(): void {
    this.#advance();
    if (!this.#bar || !this.#time || !this.#state || !this.#toggle || !this.#overlay) return;
    const duration = this.#duration();
    const fraction = Math.min(1, this.#watched / duration);
    this.#bar.style.width = `${(fraction * 100).toFixed(2)}%`;
    this.#overlay.dataset['watchSeconds'] = this.#watched.toFixed(2);
    this.#time.textContent = `${formatDuration(this.#watched)} / ${formatDuration(duration)} · ${Math.round(fraction * 100)}% watched`;
    const ended = this.#watched >= duration;
    this.#state.textContent = this.#playing ? '' : ended ? '↺' : '▶';
    this.#toggle.textContent = this.#playing ? 'Pause' : ended ? 'Replay' : 'Play';
  }
}
