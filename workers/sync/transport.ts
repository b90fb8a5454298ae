/**
 * The queue's HTTP side over fetch: device tokens (POST /v1/tokens) and batches (POST
 * /v1/events), each answer classified once into what the queue does next:
 * - 200 with the batch's ack: done (a replay is acknowledged too, `duplicate: true`);
 * - 401: the token expired or was revoked: one fresh token and one more try;
 * A token serves at most `batchesPerToken` batches (1 by default: the server cannot link two
 * batches of a device through their credential); retries of one batch reuse its token.
 * - 408, 429, 5xx, no answer (network, timeout, reset): retry later, Retry-After as a floor;
 * - any other 4xx: the server will never take this batch: set it aside (dead letter).
 */
import type { BatchAck, DeviceToken, ErrorBody } from '../../src/core/sync/wire.ts';
import { parseRetryAfter } from './backoff.ts';
import { SyncAuthError, SyncHttpError, SyncNetworkError, SyncRejectedError } from './errors.ts';
import type { SyncError } from './errors.ts';
import type { OutboxBatch } from './sync-log.ts';

export type SendOutcome =
  | { kind: 'ack'; ack: BatchAck }
  | { kind: 'rejected'; error: SyncRejectedError }
  | { kind: 'retry'; error: SyncError; retryAfterMs: number | null };

export interface Transport {
  send(batch: Pick<OutboxBatch, 'batchId' | 'body'>, signal?: AbortSignal): Promise<SendOutcome>;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  server: string;
  appKey: string;
  fetch: FetchLike;
  now: () => number;
  requestTimeoutMs: number;
  tokenRefreshMarginMs: number;
  /** Distinct batches sent under one token before a new one is fetched; default 1. */
  batchesPerToken?: number;
}

/** A failure on the way, carried out of the token and request helpers as the outcome it leads to. */
class Outcome extends Error {
  readonly outcome: SendOutcome;
  constructor(outcome: SendOutcome) {
    super(outcome.kind);
    this.outcome = outcome;
  }
}

export class FetchTransport implements Transport {
  readonly #o: TransportOptions;
  #token: DeviceToken | null = null;
  /** Batch ids sent under #token. */
  #tokenBatches = new Set<string>();

  constructor(options: TransportOptions) {
    this.#o = options;
  }

  async send(batch: Pick<OutboxBatch, 'batchId' | 'body'>, signal?: AbortSignal): Promise<SendOutcome> {
    try {
      const spent = !this.#tokenBatches.has(batch.batchId) && this.#tokenBatches.size >= (this.#o.batchesPerToken ?? 1);
      let fresh = spent || this.#token === null || this.#token.expiresAt - this.#o.tokenRefreshMarginMs <= this.#o.now();
      if (fresh) this.#token = await this.#newToken(signal);
      this.#tokenBatches.add(batch.batchId);
      let res = await this.#post(batch.body, this.#token!.token, signal);
      if (res.status === 401 && !fresh) {
        // Expired early or revoked (a key rotation on the server): one new token, one more try.
        await res.body?.cancel();
        this.#token = await this.#newToken(signal);
        this.#tokenBatches.add(batch.batchId);
        fresh = true;
        res = await this.#post(batch.body, this.#token.token, signal);
      }
      return await this.#classify(res, batch.batchId);
    } catch (err) {
      if (err instanceof Outcome) return err.outcome;
      return { kind: 'retry', error: networkError(err), retryAfterMs: null };
    }
  }

  async #post(body: string, token: string, signal: AbortSignal | undefined): Promise<Response> {
    return this.#fetch(`${this.#o.server}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body,
    }, signal);
  }

  async #newToken(signal: AbortSignal | undefined): Promise<DeviceToken> {
    this.#token = null;
    this.#tokenBatches = new Set();
    const res = await this.#fetch(`${this.#o.server}/v1/tokens`, { method: 'POST', headers: { 'X-Ondeck-App': this.#o.appKey } }, signal);
    if (res.status !== 200) {
      const { code, message } = await errorOf(res);
      const error =
        res.status === 401 || res.status === 403
          ? new SyncAuthError(res.status, code, `the app key was refused (POST /v1/tokens): ${message}`)
          : new SyncHttpError(res.status, code, `POST /v1/tokens: ${message}`);
      // Even a refused key is retried (with backoff): the app may be fixed by a deploy; no batch is to blame.
      throw new Outcome({ kind: 'retry', error, retryAfterMs: parseRetryAfter(res.headers.get('Retry-After'), this.#o.now()) });
    }
    const token = (await res.json()) as Partial<DeviceToken>;
    if (typeof token.token !== 'string' || typeof token.expiresAt !== 'number') {
      throw new Outcome({ kind: 'retry', error: new SyncHttpError(200, 'bad_token', 'POST /v1/tokens answered without token and expiresAt'), retryAfterMs: null });
    }
    return { token: token.token, expiresAt: token.expiresAt };
  }

  async #classify(res: Response, batchId: string): Promise<SendOutcome> {
    const status = res.status;
    if (status === 200) {
      const ack = (await res.json()) as Partial<BatchAck>;
      if (ack.batchId !== batchId || typeof ack.stored !== 'number' || typeof ack.duplicate !== 'boolean') {
        const error = new SyncHttpError(200, 'bad_ack', `the answer does not acknowledge batch ${batchId}: ${JSON.stringify(ack).slice(0, 200)}`);
        return { kind: 'retry', error, retryAfterMs: null };
      }
      return { kind: 'ack', ack: { batchId, stored: ack.stored, duplicate: ack.duplicate } };
    }
    const { code, message } = await errorOf(res);
    const retryAfterMs = parseRetryAfter(res.headers.get('Retry-After'), this.#o.now());
    if (status === 401) return { kind: 'retry', error: new SyncAuthError(status, code, `a fresh device token was refused: ${message}`), retryAfterMs };
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return { kind: 'rejected', error: new SyncRejectedError(status, code, message) };
    }
    return { kind: 'retry', error: new SyncHttpError(status, code, message), retryAfterMs };
  }

  /** fetch with the request timeout and the queue's stop signal; a network failure becomes a retry outcome. */
  async #fetch(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#o.requestTimeoutMs);
    try {
      return await this.#o.fetch(url, { ...init, credentials: 'omit', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (err) {
      throw new Outcome({ kind: 'retry', error: networkError(err), retryAfterMs: null });
    }
  }
}

function networkError(err: unknown): SyncNetworkError {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new SyncNetworkError(`the server could not be reached (${detail})`, { cause: err });
}

/** The server's ErrorBody, or the start of whatever it sent instead (a proxy's HTML page). */
async function errorOf(res: Response): Promise<{ code: string | null; message: string }> {
  let text = '';
  try {
    text = await res.text();
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.message === 'string') {
      const field = typeof body.field === 'string' ? ` (field ${body.field})` : '';
      return { code: typeof body.error === 'string' ? body.error : null, message: body.message + field };
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return { code: null, message: text.slice(0, 200) || res.statusText || 'no body' };
}
