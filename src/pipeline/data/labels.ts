import type { EventType } from '../../core/events.ts';
import { DATA_DEFAULTS } from './defaults.ts';

/** Event types that make a positive label; the rest (impression, skip, hide) make a negative. */
export const POSITIVE_EVENT_TYPES: readonly EventType[] = Object.freeze(['click', 'watch', 'like']);

export function labelOfType(type: EventType): 0 | 1 {
  return POSITIVE_EVENT_TYPES.includes(type) ? 1 : 0;
}

export function labelOfRating(rating: number, threshold: number = DATA_DEFAULTS.positiveRating): 0 | 1 {
  return rating >= threshold ? 1 : 0;
}

/**
 * The event type of a row that has a label but no type of its own (CSV, MovieLens), so that
 * `label` and `type` agree everywhere: a rating is a judgement (`like` / `skip`), a watch time
 * makes a positive a `watch`, anything else is a `click` or an `impression`.
 */
export function typeForLabel(label: 0 | 1, source: { rating?: number; watchSeconds?: number }): EventType {
  if (source.rating !== undefined) return label === 1 ? 'like' : 'skip';
  if (label === 0) return 'impression';
  return source.watchSeconds !== undefined ? 'watch' : 'click';
}

/** watchSeconds / durationSeconds clamped to [0, 1], or undefined unless both are known and the duration > 0. */
export function watchFraction(watchSeconds: number | undefined, durationSeconds: number | undefined): number | undefined {
  if (watchSeconds === undefined || durationSeconds === undefined || !(durationSeconds > 0)) return undefined;
  return Math.min(1, Math.max(0, watchSeconds / durationSeconds));
}
