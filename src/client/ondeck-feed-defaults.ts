/**
 * Tunables of the `<ondeck-feed>` element, in one place. Items asked of next() per page
 * (the `count` attribute's default) are the feed's own page size, src/core/feed FEED_PAGE.
 */
export const ONDECK_FEED_DEFAULTS = Object.freeze({
  /** An impression counts once the card is this visible ... */
  impressionRatio: 0.5,
  /** ... for this long without interruption (ms): the usual viewable-impression rule. */
  impressionMs: 1000,
  /** How far below the viewport the next page starts loading (px). */
  prefetchPx: 800,
  /**
   * Seconds of content the simulated player advances per real second. A demo cannot make anyone
   * sit through a 20-minute clip; the watch time it reports is content time, as a real player's.
   */
  playbackRate: 20,
  /** How often the simulated player redraws its progress bar (ms). */
  playerTickMs: 100,
  /** Duration assumed by the player when the release carries none (seconds). */
  unknownDurationSeconds: 120,
});

/**
 * The events `<ondeck-feed>` dispatches (CustomEvents that bubble out of the element).
 *
 * @example
 * ```ts
 * feedEl.addEventListener(ONDECK_FEED_EVENTS.page, (e) => analytics.pageShown((e as CustomEvent).detail.total));
 * ```
 */
export const ONDECK_FEED_EVENTS = Object.freeze({
  /** The feed is initialised; detail: FeedStatus. */
  ready: 'ondeck-ready',
  /** Something failed; detail: { name, message, during }. Branch on `name`. */
  error: 'ondeck-error',
  /** A page of items was added; detail: { items, total }. */
  page: 'ondeck-page',
  /** An interaction went to feed.track(); detail: TrackEvent. */
  track: 'ondeck-track',
});
