/**
 * Errors the server answers with. Each has a stable `name`, which becomes `error` in the JSON
 * ErrorBody; clients branch on it, never on the message.
 */
import { OndeckError } from '../core/errors.ts';

export class HttpError extends OndeckError {
  readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.field = options?.field;
  }
}

/** A field of the request is wrong; `field` is its path, e.g. `events[3].type`. */
export class RequestValidationError extends HttpError {
  override name = 'ValidationError';
  constructor(field: string | undefined, message: string, options?: { cause?: unknown }) {
    super(400, message, { ...options, ...(field === undefined ? {} : { field }) });
  }
}

export class InvalidJsonError extends HttpError {
  override name = 'InvalidJson';
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, options);
  }
}

export class UnauthorizedError extends HttpError {
  override name = 'Unauthorized';
  /** Why, for the rejection metrics: missing, malformed, forged, expired, unknown-app, wrong-key. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(401, message);
    this.reason = reason;
  }
}

export class NotFoundError extends HttpError {
  override name = 'NotFound';
  constructor(message: string) {
    super(404, message);
  }
}

const RATE_SCOPES = {
  ip: 'too many requests for this address',
  token: 'too many requests for this token',
  'token-issue': 'too many device tokens for this address',
  'key-failures': 'too many wrong secret keys from this address',
} as const;

export class RateLimitedError extends HttpError {
  override name = 'RateLimited';
  readonly retryAfterSeconds: number;
  constructor(scope: 'ip' | 'token' | 'token-issue' | 'key-failures', retryAfterSeconds: number) {
    super(429, `${RATE_SCOPES[scope]}; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The release folder holds no (valid) release to serve; answered as `ReleaseUnavailable`. (A
 * device's own ReleaseUnavailableError, workers/release, is another thing: no usable release.)
 */
export class ReleaseUnavailableHttpError extends HttpError {
  override name = 'ReleaseUnavailable';
  constructor(status: 404 | 500, message: string, options?: { cause?: unknown }) {
    super(status, message, options);
  }
}

/** A daily storage quota (per app or per address) is spent; retry after the next UTC midnight. */
export class QuotaExceededError extends HttpError {
  override name = 'QuotaExceeded';
  readonly retryAfterSeconds: number;
  constructor(scope: 'app' | 'address', retryAfterSeconds: number) {
    super(429, `the daily storage quota of this ${scope} is spent; retry after ${retryAfterSeconds} s (the next UTC day)`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The Host header names no host this server answers for (DNS rebinding, a stray vhost). */
export class MisdirectedRequestError extends HttpError {
  override name = 'MisdirectedRequest';
  constructor(message: string) {
    super(421, message, { field: 'host' });
  }
}

/** createServer / startServer options that cannot work; `option` names the one to fix. */
export class ServerConfigError extends OndeckError {
  override name = 'ServerConfigError';
  readonly option: string;
  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}
