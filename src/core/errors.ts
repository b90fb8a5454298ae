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
