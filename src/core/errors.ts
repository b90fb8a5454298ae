/**
 * Base of every ondeck error. Across comlink only name, message and stack survive, so callers
 * branch on `err.name`: each subclass sets a stable one. `cause` keeps the underlying error.
 */
export class OndeckError extends Error {
  override name = 'OndeckError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that breaks a contract; `field` is the path of what is wrong, e.g. `artifacts[2].sha256`. */
export class ValidationError extends OndeckError {
  override name = 'ValidationError';
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field ? `${field}: ${message}` : message, options);
    this.field = field;
  }
}

/**
 * The `name` of every error the feed can reject with (core and the worker's stages): what a
 * page branches on, since across the worker an error is known by its name and fields.
 * test/unit/layout/error-names.test.ts checks it against the classes in src/core, src/client and workers.
 */
export type OndeckErrorName =
  | 'OndeckError'
  | 'ValidationError'
  // src/core
  | 'ProtobufError'
  | 'ReleaseIntegrityError'
  | 'ShardFormatError'
  | 'ShardHostError'
  | 'ShardInputError'
  | 'ShardLookupError'
  | 'ShardVersionError'
  | 'SingleClassError'
  // workers/feed
  | 'FeedNotReadyError'
  // workers/history
  | 'HistoryQuotaError'
  | 'HistoryVersionError'
  // workers/ranking
  | 'GoldenMismatchError'
  | 'JsOpError'
  | 'OnnxReadError'
  | 'ModelDeviceLostError'
  | 'ModelGpuError'
  | 'ModelRunError'
  | 'ModelSessionError'
  | 'OrtConfigError'
  | 'WasmBlockedError'
  // workers/release
  | 'BodyTooLargeError'
  | 'ReleaseFetchError'
  | 'ReleaseLookupError'
  | 'ReleaseManifestError'
  | 'ReleaseRollbackError'
  | 'ReleaseSignatureError'
  | 'ReleaseStorageError'
  | 'ReleaseUnavailableError'
  // workers/retrieval
  | 'BackendUnavailableError'
  | 'RetrievalError'
  | 'RetrievalGoldenMismatchError'
  | 'UnknownBackendError'
  // workers/sync
  | 'SyncAuthError'
  | 'SyncError'
  | 'SyncHttpError'
  | 'SyncNetworkError'
  | 'SyncOfflineError'
  | 'SyncRejectedError';
