/**
 * Tunables of the sync queue, in one place. Each trades how soon the server hears of an event
 * against requests, battery and load on a struggling server.
 */
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '../../src/core/sync/wire.ts';

export const SYNC_DEFAULTS = Object.freeze({
  /** Events (pseudonymous) or counter rows (aggregate) per batch: the wire limit. */
  maxBatchEvents: MAX_BATCH_EVENTS,
  /**
   * Largest body the queue builds, in bytes: under the wire limit (413 above it) with room for
   * the headers of proxies that count them in.
   */
  maxBatchBytes: MAX_BATCH_BYTES - 4096,
  /** Wait after an append before sending, so a burst of events (a feed page's impressions) goes in one batch. */
  notifyDelayMs: 2_000,
  /** First retry delay cap; doubled per failure (full jitter: the delay is uniform in [0, cap]). */
  backoffBaseMs: 1_000,
  /** Largest retry delay cap: a device offline for long retries every few minutes at most. */
  backoffMaxMs: 5 * 60_000,
  /** Longest Retry-After honoured; a longer one (a misconfigured server) is cut to this. */
  retryAfterMaxMs: 60 * 60_000,
  /** Another tab holds the sync lock: look again after this long (it may finish before our events land). */
  lockRetryMs: 5_000,
  /** A request that takes longer is aborted and retried: a hung connection must not hold the lock. */
  requestTimeoutMs: 30_000,
  /**
   * Batches sent under one device token. A token is a handle the server sees on every batch it
   * authorises, so batches under one token are linked; 1 makes each batch unlinkable to the
   * others by credential (the server issues 30 at once and one per 2 s per address, far above
   * a device's batch rate). Retries of the same batch reuse its token: they link nothing new.
   */
  batchesPerToken: 1,
  /** A device token is renewed this long before it expires (clock skew, time in flight). */
  tokenRefreshMarginMs: 60_000,
  /** The pseudonymous install id is replaced after this long, so the server cannot link a device's events for longer. */
  installIdRotationMs: 30 * 86_400_000,
  /**
   * Counter rows per noisy aggregate batch (exact ones, `epsilon: null`, pack up to
   * maxBatchEvents). Every batch goes under a token of its own, so one row per batch means the
   * server can link nothing beyond one item's day: the privacy bench measures a batch of several
   * rows singling most users out (few users share any 2-3 items). The cost is a token request
   * and a POST per item and day; the server issues 30 tokens at once and one per 2 s per address.
   */
  aggregateRowsPerBatch: 1,
  /**
   * Aggregate mode counts only items with at least this many positive interactions in the
   * release's training data (the shard's `popularity`); others, and items in no loaded shard, are
   * never sent. A row of a rarer item would tell the server which of a handful of users sent it.
   * The app's sync option `minItemPopularity` overrides it (0 counts every item).
   */
  aggregateMinItemPopularity: 20,
  /** Feed name of batches when the app gives none. */
  feed: 'default',
});
