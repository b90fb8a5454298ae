/**
 * The sync queue's logic, independent of where events live (SyncLog) and how they travel
 * (Transport). One cycle, under the per-database lock, sends the oldest pending batch, or batches
 * the oldest unbatched events first, until the log is drained or a send fails:
 * - acknowledged (also as a duplicate): the batch leaves the outbox, its events are synced;
 * - refused for good: the batch stays as a dead letter (counted), the cycle goes on;
 * - anything else: back off (full jitter, Retry-After as a floor) and retry the same batch.
 * Batches go strictly in log order: a failing batch holds back the ones after it, so the server
 * sees each device's events in order.
 */
import type { SyncStatus } from '../../src/core/feed/api.ts';
import { retryDelay } from './backoff.ts';
import { batchBuilder } from './batch-builder.ts';
import { SYNC_DEFAULTS } from './defaults.ts';
import { SyncError, SyncOfflineError } from './errors.ts';
import type { SyncLock } from './lock.ts';
import type { Random } from './noise.ts';
import type { ResolvedSyncOptions } from './options.ts';
import { newBatchId } from './random-ids.ts';
import type { SyncLog } from './sync-log.ts';
import type { SendOutcome, Transport } from './transport.ts';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export type SyncTunables = { [K in Exclude<keyof typeof SYNC_DEFAULTS, 'feed'>]: number };

export interface SyncQueueOptions {
  log: SyncLog;
  transport: Transport;
  lock: SyncLock;
  sync: ResolvedSyncOptions;
  now: () => number;
  /** Jitter of the retry delays. */
  random: Random;
  /** The local-DP noise of aggregate batches (a CSPRNG in production). */
  noiseRandom: Random;
  /** The release the device ranks with now, sent with each new batch. */
  release: () => string | null;
  timers: Timers;
  /** False when the platform knows it has no network (navigator.onLine). */
  online: () => boolean;
  newBatchId?: () => string;
  tunables?: Partial<SyncTunables>;
  /** Called after each send with its outcome (tests, logging). */
  onOutcome?: (batchId: string, outcome: SendOutcome) => void;
}

export class SyncQueue {
  readonly #o: SyncQueueOptions;
  readonly #t: SyncTunables;
  readonly #abort = new AbortController();
  #chain: Promise<void> = Promise.resolve();
  #backgroundQueued = false;
  #timer: { handle: unknown; due: number } | null = null;
  #failures = 0;
  #retryAt: number | null = null;
  #lastError: { name: string; message: string } | null = null;
  #stopped = false;

  constructor(options: SyncQueueOptions) {
    this.#o = options;
    this.#t = { ...SYNC_DEFAULTS, ...options.tunables };
  }

  /** Marks the log as synced and sends whatever is pending from before (a reload resumes here). */
  async start(): Promise<void> {
    await this.#o.log.start();
    this.#schedule(0);
  }

  /** An event was appended: send it soon, with whatever else arrives meanwhile (not while backing off). */
  notify(): void {
    if (this.#stopped) return;
    if (this.#retryAt !== null && this.#retryAt > this.#o.now()) return;
    this.#schedule(this.#t.notifyDelayMs);
  }

  /** The network is back: forget the backoff and try now. */
  online(): void {
    if (this.#stopped) return;
    this.#failures = 0;
    this.#retryAt = null;
    this.#schedule(0);
  }

  /** Sends what is pending now, waiting for another tab's turn if need be, and resolves with the outcome. */
  async flush(): Promise<SyncStatus> {
    if (!this.#stopped) await this.#enqueue(true);
    return this.status();
  }

  async status(): Promise<SyncStatus> {
    const counts = await this.#o.log.counts();
    return {
      mode: this.#o.sync.mode,
      pending: counts.pending,
      lastSyncAt: counts.lastSyncAt,
      lastError: this.#lastError,
      retryAt: this.#retryAt,
      rejected: counts.rejected,
      evicted: counts.evicted,
    };
  }

  /** Stops timers and aborts a request in flight; resolves when the current cycle has ended. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    this.#abort.abort(new SyncError('the sync queue was stopped'));
    return this.#chain;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    const due = this.#o.now() + ms;
    if (this.#timer && this.#timer.due <= due) return;
    this.#clearTimer();
    const handle = this.#o.timers.set(() => {
      this.#timer = null;
      if (this.#backgroundQueued) return;
      this.#backgroundQueued = true;
      void this.#enqueue(false);
    }, ms);
    this.#timer = { handle, due };
  }

  #clearTimer(): void {
    if (this.#timer) this.#o.timers.clear(this.#timer.handle);
    this.#timer = null;
  }

  /** Cycles run one after another in this tab; `wait`: an explicit flush waits for the lock. */
  #enqueue(wait: boolean): Promise<void> {
    const next = this.#chain.then(() => {
      if (!wait) this.#backgroundQueued = false;
      return this.#cycle(wait);
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #cycle(wait: boolean): Promise<void> {
    if (this.#stopped) return;
    if (!this.#o.online()) {
      this.#lastError = errorInfo(new SyncOfflineError());
      // The 'online' event resumes; the timer is a safety net for platforms that never send it.
      this.#schedule(this.#t.backoffMaxMs);
      return;
    }
    try {
      const turn = await this.#o.lock.run(wait, () => this.#drain(), this.#abort.signal);
      // Another tab is syncing this database: it may finish before our newest events land.
      if (!turn.ran) this.#schedule(this.#t.lockRetryMs);
    } catch (err) {
      // The log failed (storage full, the database deleted under us): retry like a send failure.
      if (!this.#stopped) this.#backOff(err instanceof Error ? err : new SyncError(String(err)), null);
    }
  }

  async #drain(): Promise<void> {
    const { log, sync } = this.#o;
    while (!this.#stopped) {
      let batch = await log.nextBatch();
      if (!batch) {
        const now = this.#o.now();
        const installId = sync.mode === 'pseudonymous' ? await log.installId(now, this.#t.installIdRotationMs) : undefined;
        const build = batchBuilder({
          mode: sync.mode,
          feed: sync.feed,
          releaseId: this.#o.release(),
          ...(installId !== undefined ? { installId } : {}),
          epsilon: sync.epsilon,
          random: this.#o.noiseRandom,
          // Noisy aggregate batches carry one item each (unlinkable by content too); exact ones pack rows.
          maxEvents: sync.mode === 'aggregate' && sync.epsilon !== null ? this.#t.aggregateRowsPerBatch : this.#t.maxBatchEvents,
          maxBytes: this.#t.maxBatchBytes,
          newBatchId: this.#o.newBatchId ?? newBatchId,
        });
        // Aggregate rows fold many events: offer more events than rows allowed.
        const offer = sync.mode === 'aggregate' ? this.#t.maxBatchEvents * 10 : this.#t.maxBatchEvents;
        batch = await log.assign(offer, now, build);
        if (!batch) {
          // Drained: a passing failure (offline, a lock or storage error) is over; a refused
          // batch stays the last error until a later batch is acknowledged.
          if (this.#lastError?.name === 'SyncRejectedError') this.#failures = 0;
          else this.#succeeded();
          return;
        }
      }
      const outcome = await this.#o.transport.send(batch, this.#abort.signal);
      if (this.#stopped) return;
      this.#o.onOutcome?.(batch.batchId, outcome);
      if (outcome.kind === 'ack') {
        await log.ack(batch.batchId, this.#o.now());
        this.#succeeded();
      } else if (outcome.kind === 'rejected') {
        const error = outcome.error;
        await log.reject(batch.batchId, { status: error.status, name: error.name, message: error.message });
        this.#lastError = errorInfo(error);
      } else {
        this.#backOff(outcome.error, outcome.retryAfterMs);
        return;
      }
    }
  }

  #succeeded(): void {
    this.#failures = 0;
    this.#retryAt = null;
    this.#lastError = null;
  }

  #backOff(error: Error, retryAfterMs: number | null): void {
    this.#failures++;
    const delay = retryDelay(this.#failures, retryAfterMs, this.#o.random, {
      baseMs: this.#t.backoffBaseMs,
      maxMs: this.#t.backoffMaxMs,
      retryAfterMaxMs: this.#t.retryAfterMaxMs,
    });
    this.#lastError = errorInfo(error);
    this.#retryAt = this.#o.now() + delay;
    this.#clearTimer();
    this.#schedule(delay);
  }
}

function errorInfo(error: Error): { name: string; message: string } {
  return { name: error.name, message: error.message };
}
