/**
 * The wire contract of sync: what the device's sync queue POSTs to `/v1/events` and what the
 * server answers (types and limits only). The server validates bodies with its own JSON schema
 * (Fastify/Ajv) built from these limits; the device builds batches that satisfy them.
 *
 * Auth (every write): `Authorization: Bearer <device token>` (issued by `POST /v1/tokens`, signed
 * with HMAC-SHA256, expiring) or `Authorization: Key <app secret key>` (server to server).
 */
import type { EventType } from '../events.ts';

export const SYNC_MODES = ['aggregate', 'pseudonymous'] as const;
/**
 * `aggregate` (default): item-level counters per UTC day, no user or install id.
 * `pseudonymous` (opt-in): the event log with a rotating install id, for retraining.
 */
export type SyncMode = (typeof SYNC_MODES)[number];

/** At most this many events (pseudonymous) or counter rows (aggregate) per batch. */
export const MAX_BATCH_EVENTS = 500;
/**
 * Events one aggregate batch folds at most: the device offers this many events to the builder
 * (its rows fold them, at most MAX_BATCH_EVENTS rows). So no counter of an exact aggregate batch
 * can exceed it, and the server refuses one that does.
 */
export const MAX_AGGREGATE_EVENTS = MAX_BATCH_EVENTS * 10;
/**
 * How far in the future an event time may lie (one day): device clocks drift and pages batch
 * events; more means a broken clock. The device refuses such events when they are logged, the
 * server when they arrive.
 */
export const MAX_FUTURE_SKEW_MS = 86_400_000;
/** Largest request body, in bytes; larger gets 413. */
export const MAX_BATCH_BYTES = 256 * 1024;
/** Batch ids are made by the device, stable across retries: 8 to 64 of [A-Za-z0-9_-]. */
export const BATCH_ID_PATTERN = '^[A-Za-z0-9_-]{8,64}$';
/** Item ids, install ids, release ids and feed names: 1 to 256 characters. */
export const MAX_ID_LENGTH = 256;
/** Watch seconds above this are clipped by the device (and rejected by the server above it). */
export const MAX_WATCH_SECONDS = 24 * 3600;

/** One interaction in a pseudonymous batch. */
export interface WireEvent {
  type: EventType;
  itemId: string;
  /** Milliseconds since the epoch. */
  at: number;
  watchSeconds?: number;
  /** watchSeconds / the item's duration, in [0, 1]. */
  watchFraction?: number;
}

/**
 * Counters of one item on one UTC day, in an aggregate batch. Without noise every counter is a
 * non-negative integer. With local differential privacy (`noise`), the device adds two-sided
 * geometric noise (discrete Laplace, scale 1/epsilon) to each count and Laplace noise to the two
 * sums (scale MAX_WATCH_CLIP_SECONDS/epsilon and 1/epsilon), so single values may be negative or
 * fractional; the noise has mean zero, so sums over many devices stay unbiased.
 */
export interface WireCounts {
  itemId: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  impressions: number;
  clicks: number;
  watches: number;
  likes: number;
  hides: number;
  skips: number;
  watchSeconds: number;
  /** Sum of the watch fractions of the day's watch events. */
  watchFractionSum: number;
}

/**
 * The local-DP epsilon of aggregate batches by default, and the one a server accepts unless it
 * is configured otherwise: each counter of an (item, UTC day) row gets two-sided geometric noise
 * of scale 1/epsilon, so one event changes the odds of anything the server sees by at most e^1.
 * Every event is counted in exactly one batch, so this bounds a day's events event by event (a
 * day with n events of one item is protected at n·epsilon). The device's sync option `epsilon`
 * must match the server's (the server refuses any other value with 400, field noise.epsilon).
 */
export const DEFAULT_AGGREGATE_EPSILON = 1;

/** Per-event clip of watch seconds before noise is added in aggregate mode with epsilon. */
export const MAX_WATCH_CLIP_SECONDS = 600;

interface BatchBase {
  batchId: string;
  /** The release the device ranked with, for per-release metrics; null when none. */
  releaseId: string | null;
  /** Which feed of the app (an app may have several), for CTR and watch time per feed; default 'default'. */
  feed: string;
}

export interface PseudonymousBatch extends BatchBase {
  mode: 'pseudonymous';
  installId: string;
  events: WireEvent[];
}

export interface AggregateBatch extends BatchBase {
  mode: 'aggregate';
  /** Present when the counts carry local-DP noise. */
  noise?: { mechanism: 'geometric'; epsilon: number };
  counts: WireCounts[];
}

export type EventBatch = PseudonymousBatch | AggregateBatch;

/** 200 answer of POST /v1/events. The batch is committed before this is sent. */
export interface BatchAck {
  batchId: string;
  /** Events or counter rows stored by this request (0 for a replay). */
  stored: number;
  /** True when the batch id was stored before: acknowledged again, stored once. */
  duplicate: boolean;
}

/** 200 answer of POST /v1/tokens (request header `X-Ondeck-App: <public app key>`). */
export interface DeviceToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Body of every 4xx/5xx answer of the server. */
export interface ErrorBody {
  error: string;
  message: string;
  /** The JSON path of the offending field, when one is to blame, e.g. `events[3].type`. */
  field?: string;
}
