import { OndeckError } from '../../src/core/errors.ts';

/**
 * Why an attempt failed, as the sync status reports it (`lastError`). Callers branch on the
 * name; the queue itself branches on `retry`: a retryable failure backs off and tries the same
 * batch again, a permanent one sets the batch aside as a dead letter.
 */
export class SyncError extends OndeckError {
  override name = 'SyncError';
}

/** fetch failed (no network, connection reset, DNS, CORS refusal, timeout): retried with backoff. */
export class SyncNetworkError extends SyncError {
  override name = 'SyncNetworkError';
}

/** The browser reports no network (navigator.onLine false): nothing is attempted until 'online'. */
export class SyncOfflineError extends SyncError {
  override name = 'SyncOfflineError';
  constructor() {
    super('the device is offline (navigator.onLine is false); events stay pending until it is online again');
  }
}

/** The server answered an error status. `status` and the server's `error` code say which. */
export class SyncHttpError extends SyncError {
  override name = 'SyncHttpError';
  readonly status: number;
  /** The server's ErrorBody.error, when it sent one. */
  readonly code: string | null;
  constructor(status: number, code: string | null, message: string, options?: { cause?: unknown }) {
    super(`server answered ${status}${code ? ` ${code}` : ''}: ${message}`, options);
    this.status = status;
    this.code = code;
  }
}

/** The app key was refused or a fresh token was refused too: retried with backoff, the app must fix its key. */
export class SyncAuthError extends SyncHttpError {
  override name = 'SyncAuthError';
}

/** The server refused a batch for good (4xx other than 401, 408, 429): kept as a dead letter. */
export class SyncRejectedError extends SyncHttpError {
  override name = 'SyncRejectedError';
}
