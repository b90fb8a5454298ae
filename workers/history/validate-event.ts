/**
 * Checks a TrackEvent from the page before anything is written. Pure (the clock is a parameter),
 * so the worker can reject bad input before it looks the item up, and tests need no database.
 * Events cross comlink as plain objects from app code, so every field is checked at run time.
 */
import { EVENT_TYPES, isEventType } from '../../src/core/events.ts';
import type { EventType } from '../../src/core/events.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { MAX_FUTURE_SKEW_MS, MAX_ITEM_ID_LENGTH, MIN_EVENT_TIME_MS } from './defaults.ts';

/** A TrackEvent that passed validation, with `at` filled in. */
export interface ValidTrackEvent {
  type: EventType;
  itemId: string;
  at: number;
  watchSeconds?: number;
}

const FIELDS = ['type', 'itemId', 'watchSeconds', 'at'] as const;

/**
 * Returns the event with `at` defaulted to `now`, or throws a ValidationError naming the field
 * and what it allows. Policy:
 * - watchSeconds is accepted on `watch` only (seconds watched make no sense for a click or a
 *   hide, and silently storing them would feed a meaningless watch fraction into the towers);
 *   it is optional there, because a player may report a watch without a duration: the user
 *   tower then counts it as a full watch, as HistoryEntry documents.
 * - Unknown fields are rejected rather than dropped, so a typo such as `watchSecond` fails
 *   loudly instead of losing the watch time.
 */
export function validateTrackEvent(e: unknown, now: number = Date.now()): ValidTrackEvent {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    throw new ValidationError('event', `must be an object with fields ${FIELDS.join(', ')}`);
  }
  const input = e as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ValidationError(key, `unknown field; a track event has ${FIELDS.join(', ')}`);
    }
  }

  const { type, itemId, watchSeconds, at } = input;
  if (!isEventType(type)) throw new ValidationError('type', `must be one of ${EVENT_TYPES.join(', ')}`);
  if (typeof itemId !== 'string' || itemId.length === 0 || itemId.length > MAX_ITEM_ID_LENGTH) {
    throw new ValidationError('itemId', `must be a non-empty string of at most ${MAX_ITEM_ID_LENGTH} characters`);
  }

  const out: ValidTrackEvent = { type, itemId, at: now };
  if (watchSeconds !== undefined) {
    if (type !== 'watch') throw new ValidationError('watchSeconds', `is allowed on watch events only, not on ${type}`);
    if (typeof watchSeconds !== 'number' || !Number.isFinite(watchSeconds) || watchSeconds < 0) {
      throw new ValidationError('watchSeconds', 'must be a finite number ≥ 0');
    }
    out.watchSeconds = watchSeconds;
  }
  if (at !== undefined) {
    if (typeof at !== 'number' || !Number.isFinite(at)) {
      throw new ValidationError('at', 'must be a finite timestamp in milliseconds since the epoch');
    }
    if (at < MIN_EVENT_TIME_MS) {
      throw new ValidationError('at', 'must be milliseconds since the epoch, after 2000-01-01 (was it given in seconds?)');
    }
    if (at > now + MAX_FUTURE_SKEW_MS) {
      throw new ValidationError('at', `must not be more than ${MAX_FUTURE_SKEW_MS / 3_600_000} hours in the future`);
    }
    out.at = at;
  }
  return out;
}
