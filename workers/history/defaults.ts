/**
 * Tunables of the on-device history, in one place. Each one trades storage (and the time of the
 * eviction and re-embedding walks) against how much of the user's past the feed can use.
 */

/** Database name when the app gives none: one database per app and user. */
export const DEFAULT_DATABASE_NAME = 'ondeck';

/**
 * Events kept before the oldest are evicted. 5000 events with 64-d float embeddings are about
 * 2 MB; the user tower reads far fewer (its history features take the newest tens), so the rest
 * serves the seen filter and the sync queue.
 */
export const DEFAULT_MAX_EVENTS = 5000;

/**
 * Once sync runs on a database, events it has not yet batched are kept past maxEvents, up to
 * maxEvents × this factor (a device offline for days keeps what it has to send); beyond that
 * hard cap the oldest go anyway and are counted as evicted in the sync status (event-log.ts).
 */
export const UNSYNCED_HOLD_FACTOR = 2;

/** Longest item id accepted; ids are hashed for the models, so longer ones only waste storage. */
export const MAX_ITEM_ID_LENGTH = 256;

/**
 * How far in the future an event time may lie. Device clocks drift and pages batch events, so a
 * little skew is normal; a day or more means a broken clock or a unit mistake (seconds × 1000
 * twice), which would make recency weighting favour that event forever.
 */
export const MAX_FUTURE_SKEW_MS = 86_400_000;

/**
 * Earliest event time accepted (2000-01-01). Nobody used this feed before then; a smaller value
 * is almost always seconds passed where milliseconds are expected (1.7e9 s reads as January 1970).
 */
export const MIN_EVENT_TIME_MS = 946_684_800_000;
