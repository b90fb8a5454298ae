/**
 * Checks the app's SyncOptions once, at start: a typo in a mode or a missing app key fails the
 * feed's init with the field named, instead of failing every sync attempt later.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { SyncOptions } from '../../src/core/feed/api.ts';
import { DEFAULT_AGGREGATE_EPSILON, MAX_ID_LENGTH, SYNC_MODES } from '../../src/core/sync/wire.ts';
import type { SyncMode } from '../../src/core/sync/wire.ts';
import { SYNC_DEFAULTS } from './defaults.ts';

export interface ResolvedSyncOptions {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8787`. */
  server: string;
  appKey: string;
  mode: SyncMode;
  /** Local differential privacy (aggregate mode only): DEFAULT_AGGREGATE_EPSILON unless the app says; null for exact counts. */
  epsilon: number | null;
  feed: string;
  /** Aggregate mode: items below this release popularity are not counted (0: every item); 0 in pseudonymous mode and with exact counts unless set. */
  minItemPopularity: number;
}

const FIELDS = ['server', 'appKey', 'mode', 'epsilon', 'feed', 'minItemPopularity'];

/** `origin` is where `server` defaults to: the page's (the worker's) origin. */
export function resolveSyncOptions(options: SyncOptions, origin: string | null): ResolvedSyncOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('sync', `must be an object with fields ${FIELDS.join(', ')}`);
  for (const key of Object.keys(options)) {
    if (!FIELDS.includes(key)) throw new ValidationError(`sync.${key}`, `unknown field; sync options are ${FIELDS.join(', ')}`);
  }
  const mode = options.mode ?? 'aggregate';
  if (!(SYNC_MODES as readonly string[]).includes(mode)) throw new ValidationError('sync.mode', `must be one of ${SYNC_MODES.join(', ')}`);
  if (typeof options.appKey !== 'string' || options.appKey.length === 0) {
    throw new ValidationError('sync.appKey', "must be the app's public key (a non-empty string)");
  }
  const base = options.server ?? origin;
  if (typeof base !== 'string' || base.length === 0) {
    throw new ValidationError('sync.server', 'must be the base URL of the ondeck server (there is no page origin to default to)');
  }
  let url: URL;
  try {
    // A path (`/api`) is on the page's origin.
    url = origin ? new URL(base, origin) : new URL(base);
  } catch (err) {
    throw new ValidationError('sync.server', `must be an http(s) URL (absolute, or a path on the page's origin), got ${JSON.stringify(base)}`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('sync.server', `must be an http(s) URL, got ${url.protocol}`);
  // On by default in aggregate mode; `epsilon: null` opts out (exact counts).
  let epsilon: number | null = mode === 'aggregate' ? DEFAULT_AGGREGATE_EPSILON : null;
  if (options.epsilon === null) epsilon = null;
  else if (options.epsilon !== undefined) {
    if (mode !== 'aggregate') throw new ValidationError('sync.epsilon', "applies to mode 'aggregate' only (pseudonymous events carry no noise)");
    if (typeof options.epsilon !== 'number' || !Number.isFinite(options.epsilon) || options.epsilon <= 0) {
      throw new ValidationError('sync.epsilon', `must be a finite number > 0 (smaller is more private and noisier; the default ${DEFAULT_AGGREGATE_EPSILON} is what a server accepts unless configured otherwise), or null for exact counts`);
    }
    epsilon = options.epsilon;
  }
  const feed = options.feed ?? SYNC_DEFAULTS.feed;
  if (typeof feed !== 'string' || feed.length === 0 || feed.length > MAX_ID_LENGTH) {
    throw new ValidationError('sync.feed', `must be a string of 1 to ${MAX_ID_LENGTH} characters`);
  }
  // With noise (the default) rare items are held back; exact counts (`epsilon: null`, for a
  // server of the app's own) count every item unless the app says otherwise.
  let minItemPopularity = mode === 'aggregate' && epsilon !== null ? SYNC_DEFAULTS.aggregateMinItemPopularity : 0;
  if (options.minItemPopularity !== undefined) {
    if (mode !== 'aggregate') throw new ValidationError('sync.minItemPopularity', "applies to mode 'aggregate' only");
    if (!Number.isInteger(options.minItemPopularity) || options.minItemPopularity < 0) {
      throw new ValidationError('sync.minItemPopularity', 'must be an integer ≥ 0 (0 counts every item)');
    }
    minItemPopularity = options.minItemPopularity;
  }
  return { server: url.href.replace(/\/+$/, ''), appKey: options.appKey, mode, epsilon, feed, minItemPopularity };
}
