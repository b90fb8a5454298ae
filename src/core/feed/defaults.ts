/**
 * Defaults of the feed contract (api.ts) that both sides apply: the page (`<ondeck-feed>`) and
 * the worker read the same numbers, so a page size is written once.
 */
import { FEED_COMPOSITION } from './compose.ts';

export const FEED_PAGE = Object.freeze({
  /** Items per next() unless the caller asks otherwise: the page the re-ranker composes. */
  count: FEED_COMPOSITION.pageSize,
  /** Most items one next() returns: a page, not the catalogue (the re-ranker's cost grows with it). */
  maxCount: 200,
});
