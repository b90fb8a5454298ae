export { createServer } from './create-server.ts';
export { startServer } from './start-server.ts';
export type { RunningServer } from './start-server.ts';
export { isLoopbackHost } from './start-server.ts';
export type { ServerOptions } from './options.ts';
export { DEFAULT_ALLOWED_ORIGINS, DEMO_APP_KEY, LOOPBACK_HOSTS, SERVER_DEFAULTS } from './defaults.ts';
export {
  HttpError,
  InvalidJsonError,
  MisdirectedRequestError,
  NotFoundError,
  QuotaExceededError,
  RateLimitedError,
  ReleaseUnavailableHttpError,
  RequestValidationError,
  ServerConfigError,
  UnauthorizedError,
} from './errors.ts';
export { openSqliteStore, openStore } from './store/index.ts';
export type { FeatureStore, StoreLocation } from './store/index.ts';
export { BatchConflictError, InstallDeletedError, InvalidBatchError, StoreClosedError } from './store/index.ts';
export { issueToken, tokenKey, verifyToken } from './auth/index.ts';
export { eventBatchSchema } from './routes/events/index.ts';
