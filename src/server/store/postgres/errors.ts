/** Errors of the Postgres adapter; callers branch on `name`. */
import { OndeckError } from '../../../core/errors.ts';

/** The server at the URL could not be reached or refused the login. */
export class PostgresUnavailableError extends OndeckError {
  override name = 'PostgresUnavailableError';
  /** The URL with its password redacted. */
  readonly url: string;
  constructor(url: string, options: { cause: unknown }) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`cannot reach Postgres at ${redactUrl(url)}: ${why}`, options);
    this.url = redactUrl(url);
  }
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable Postgres URL)';
  }
}
