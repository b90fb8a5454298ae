/**
 * The JSON schema of POST /v1/events, built from the limits of the wire contract
 * (src/core/sync/wire.ts), so the device and the server cannot drift apart. Ajv compiles it once;
 * `additionalProperties: false` everywhere, every string bounded, every number ranged.
 */
import { EVENT_TYPES } from '../../../core/events.ts';
import { BATCH_ID_PATTERN, MAX_AGGREGATE_EVENTS, MAX_BATCH_EVENTS, MAX_ID_LENGTH, MAX_WATCH_SECONDS } from '../../../core/sync/wire.ts';

/** 2000-01-01 .. 2100-01-01: anything outside is a broken clock, not an event. */
export const MIN_AT = Date.UTC(2000, 0, 1);
export const MAX_AT = Date.UTC(2100, 0, 1);
/**
 * Loose bound of a single noisy day counter of one item; the real bound (what one batch can hold
 * plus a few noise scales of the server's epsilon) is checked after the schema (check-batch.ts).
 */
export const MAX_COUNT = 1e6;
export const DAY_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
/**
 * Ids: no NUL (Postgres text cannot hold it) and no unpaired UTF-16 surrogate (it would be stored
 * as U+FFFD, so a later lookup of the id misses). Ajv compiles patterns with the `u` flag, where
 * a paired surrogate is one code point and only lone halves fall in the class.
 */
export const TEXT_PATTERN = '^[^\\u0000\\ud800-\\udfff]*$';
/**
 * Feed names become metric rows and Prometheus labels: letters, digits and `_ . : -`, up to 128,
 * so `*` (the all-feeds row) and other made-up names cannot be sent.
 */
export const FEED_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$';

/** What a pattern means, for error messages (Ajv only knows the regex). */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {
  [BATCH_ID_PATTERN]: 'must be 8 to 64 characters of A-Z, a-z, 0-9, "_" or "-"',
  [DAY_PATTERN]: 'must be a UTC day written YYYY-MM-DD',
  [TEXT_PATTERN]: 'must not contain NUL characters or unpaired UTF-16 surrogates',
  [FEED_PATTERN]: 'must be 1 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-", starting with a letter or digit',
};

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: TEXT_PATTERN } as const;
const count = { type: 'number', minimum: -MAX_COUNT, maximum: MAX_COUNT } as const;
/** Without noise a counter is a count of the batch's events: at most what one batch folds. */
const exactCount = { type: 'integer', minimum: 0, maximum: MAX_AGGREGATE_EVENTS } as const;

const base = {
  batchId: { type: 'string', pattern: BATCH_ID_PATTERN },
  releaseId: { type: ['string', 'null'], minLength: 1, maxLength: MAX_ID_LENGTH, pattern: TEXT_PATTERN },
  feed: { type: 'string', minLength: 1, maxLength: 128, pattern: FEED_PATTERN },
} as const;

const wireEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'itemId', 'at'],
  properties: {
    type: { type: 'string', enum: EVENT_TYPES },
    itemId: id,
    at: { type: 'number', minimum: MIN_AT, maximum: MAX_AT },
    watchSeconds: { type: 'number', minimum: 0, maximum: MAX_WATCH_SECONDS },
    watchFraction: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const COUNTERS = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const;

const wireCounts = {
  type: 'object',
  additionalProperties: false,
  required: ['itemId', 'day', ...COUNTERS, 'watchSeconds', 'watchFractionSum'],
  properties: {
    itemId: id,
    day: { type: 'string', pattern: DAY_PATTERN },
    ...Object.fromEntries(COUNTERS.map((c) => [c, count])),
    watchSeconds: { type: 'number', minimum: -MAX_COUNT * 10, maximum: MAX_COUNT * 10 },
    watchFractionSum: count,
  },
} as const;

/** Without local-DP noise, counts are what they say: non-negative integers. */
const exactCounts = {
  type: 'object',
  properties: {
    ...Object.fromEntries(COUNTERS.map((c) => [c, exactCount])),
    watchSeconds: { type: 'number', minimum: 0, maximum: MAX_AGGREGATE_EVENTS * MAX_WATCH_SECONDS },
    watchFractionSum: { type: 'number', minimum: 0, maximum: MAX_AGGREGATE_EVENTS },
  },
} as const;

const pseudonymous = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'batchId', 'releaseId', 'feed', 'installId', 'events'],
  properties: {
    mode: { const: 'pseudonymous' },
    ...base,
    installId: id,
    events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: wireEvent },
  },
} as const;

const aggregate = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'batchId', 'releaseId', 'feed', 'counts'],
  properties: {
    mode: { const: 'aggregate' },
    ...base,
    noise: {
      type: 'object',
      additionalProperties: false,
      required: ['mechanism', 'epsilon'],
      properties: { mechanism: { const: 'geometric' }, epsilon: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
    },
    counts: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: wireCounts },
  },
  if: { not: { required: ['noise'] } },
  then: { properties: { counts: { type: 'array', items: exactCounts } } },
} as const;

/** Body schema of POST /v1/events: one of the two modes, chosen by `mode` (Ajv discriminator). */
export const eventBatchSchema = {
  type: 'object',
  required: ['mode'],
  discriminator: { propertyName: 'mode' },
  oneOf: [pseudonymous, aggregate],
} as const;

export const batchAckSchema = {
  type: 'object',
  required: ['batchId', 'stored', 'duplicate'],
  properties: { batchId: { type: 'string' }, stored: { type: 'integer' }, duplicate: { type: 'boolean' } },
} as const;
