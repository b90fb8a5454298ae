/**
 * Viewable impressions: an item counts as shown once its card is at least `ratio` visible for
 * `dwellMs` without interruption (the usual rule: 50% for one second). Each id is reported once;
 * a card that scrolls out before the dwell time is over starts again when it comes back.
 */
export class ImpressionTracker {
  readonly #observer: IntersectionObserver;
  readonly #timers = new Map<Element, ReturnType<typeof setTimeout>>();
  readonly #ids = new WeakMap<Element, string>();
  readonly #reported = new Set<string>();
  readonly #onImpression: (itemId: string) => void;
  readonly #options: { ratio: number; dwellMs: number };

  constructor(onImpression: (itemId: string) => void, options: { ratio: number; dwellMs: number }) {
    this.#onImpression = onImpression;
    this.#options = options;
    this.#observer = new IntersectionObserver((entries) => this.#update(entries), { threshold: [0, options.ratio] });
  }

  /** Ids already reported by this tracker. */
  get reported(): ReadonlySet<string> {
    return this.#reported;
  }

  observe(el: Element, itemId: string): void {
    if (this.#reported.has(itemId)) return;
    this.#ids.set(el, itemId);
    this.#observer.observe(el);
  }

  unobserve(el: Element): void {
    this.#cancel(el);
    this.#observer.unobserve(el);
  }

  /** Reports the card now (it was acted on, so it was seen), unless it was reported before. */
  reportNow(el: Element): void {
    this.#cancel(el);
    this.#fire(el);
  }

  disconnect(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#observer.disconnect();
  }

  #update(entries: IntersectionObserverEntry[]): void {
    for (const e of entries) {
      // Visible enough: start the dwell timer (once); less: the dwell starts over.
      if (e.isIntersecting && e.intersectionRatio >= this.#options.ratio) {
        if (!this.#timers.has(e.target)) this.#timers.set(e.target, setTimeout(() => this.#fire(e.target), this.#options.dwellMs));
      } else {
        this.#cancel(e.target);
      }
    }
  }

  #cancel(el: Element): void {
    const t = this.#timers.get(el);
    if (t !== undefined) clearTimeout(t);
    this.#timers.delete(el);
  }

  #fire(el: Element): void {
    this.#timers.delete(el);
    this.#observer.unobserve(el);
    const id = this.#ids.get(el);
    if (id === undefined || this.#reported.has(id)) return;
    this.#reported.add(id);
    this.#onImpression(id);
  }
}
