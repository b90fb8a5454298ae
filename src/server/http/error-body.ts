/**
 * Every error the server answers becomes an ErrorBody with a stable `error` name; 5xx answers
 * carry no detail (no stack, no internals), the error goes to the log instead.
 */
import type { ErrorBody } from '../../core/sync/wire.ts';
import { HttpError, QuotaExceededError, RateLimitedError, UnauthorizedError } from '../errors.ts';
import { BatchConflictError, InstallDeletedError, InvalidBatchError } from '../store/errors.ts';
import { ajvToValidationError, type AjvErrorLike } from './ajv-error.ts';

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Rejection reason for the ingest metrics (auth, schema, json, size, content-type, rate, ...). */
  reason: string;
}

interface FastifyErrorLike {
  code?: string;
  statusCode?: number;
  validation?: AjvErrorLike[];
  validationContext?: string;
  message?: string;
}

function answer(status: number, error: string, message: string, reason: string, field?: string): ErrorAnswer {
  const body: ErrorBody = field === undefined ? { error, message } : { error, message, field };
  return { status, body, headers: {}, reason };
}

export function toErrorAnswer(err: unknown): ErrorAnswer {
  // The store's refusals are the batch's fault: 4xx naming the field, like the schema's.
  if (err instanceof InvalidBatchError) return answer(400, 'ValidationError', err.message.slice(err.field.length + 2), 'schema', err.field);
  if (err instanceof BatchConflictError) return answer(409, 'BatchConflict', err.message, 'conflict', 'batchId');
  if (err instanceof InstallDeletedError) return answer(410, 'InstallDeleted', err.message, 'deleted', 'installId');
  if (err instanceof HttpError) {
    const a = answer(err.status, err.name, err.message, 'other', err.field);
    if (err instanceof UnauthorizedError) a.reason = 'auth';
    else if (err instanceof RateLimitedError) {
      a.reason = 'rate';
      a.headers['retry-after'] = String(err.retryAfterSeconds);
    } else if (err instanceof QuotaExceededError) {
      a.reason = 'quota';
      a.headers['retry-after'] = String(err.retryAfterSeconds);
    } else if (err.name === 'BatchConflict') a.reason = 'conflict';
    else if (err.name === 'InstallDeleted') a.reason = 'deleted'; else if (err.name === 'ValidationError') a.reason = 'schema';
    else if (err.name === 'InvalidJson') a.reason = 'json';
    else if (err.name === 'NotFound') a.reason = 'not-found';
    return a;
  }
  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyErrorLike;
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    const root = e.validationContext && e.validationContext !== 'body' ? e.validationContext : '';
    const v = ajvToValidationError(e.validation[0]!, root);
    return answer(400, v.name, v.message, 'schema', v.field);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer(413, 'PayloadTooLarge', e.message ?? 'request body is too large', 'size');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer(415, 'UnsupportedMediaType', 'send the body as Content-Type: application/json', 'content-type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer(400, 'InvalidJson', 'the body is not valid JSON', 'json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return answer(400, 'InvalidJson', 'the body is empty; expected a JSON object', 'json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return answer(400, 'BadRequest', 'Content-Length does not match the body', 'json');
  }
  const status = e.statusCode;
  if (err instanceof SyntaxError && status === 400) {
    return answer(400, 'InvalidJson', `the body is not valid JSON: ${err.message}`, 'json');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return answer(status, 'BadRequest', e.message ?? 'bad request', 'other');
  }
  return answer(500, 'InternalError', 'the server failed to answer this request; it has been logged', 'internal');
}
