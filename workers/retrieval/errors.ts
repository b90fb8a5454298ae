/**
 * Errors of the retrieval backends. Across comlink only name, message and stack survive, so each
 * class sets a stable `name` that callers branch on; `cause` keeps the underlying error.
 */
import { OndeckError, ValidationError } from '../../src/core/errors.ts';
import type { RetrievalBackend } from '../../src/core/feed/index.ts';

/**
 * A backend that cannot run here: no WebGPU adapter, no WASM SIMD, a matrix over the device's
 * buffer limit. `reason` says which, in words a log reader understands.
 */
export class BackendUnavailableError extends OndeckError {
  override name = 'BackendUnavailableError';
  readonly backend: RetrievalBackend;
  readonly reason: string;
  constructor(backend: RetrievalBackend, reason: string, options?: { cause?: unknown }) {
    super(`retrieval backend "${backend}" is unavailable: ${reason}`, options);
    this.backend = backend;
    this.reason = reason;
  }
}

/** A backend name that is not one of the allowed values; the message lists them. */
export class UnknownBackendError extends ValidationError {
  override name = 'UnknownBackendError';
  readonly allowed: readonly string[];
  constructor(field: string, got: unknown, allowed: readonly string[]) {
    super(field, `unknown retrieval backend ${JSON.stringify(got) ?? String(got)}; allowed: ${allowed.join(', ')}`);
    this.allowed = allowed;
  }
}

/** search() after dispose(), or a backend that failed while searching (`cause` has its error). */
export class RetrievalError extends OndeckError {
  override name = 'RetrievalError';
}

/** A backend whose top k over the head shard is not the release's golden one: it never serves. */
export class RetrievalGoldenMismatchError extends RetrievalError {
  override name = 'RetrievalGoldenMismatchError';
}
