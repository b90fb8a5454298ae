import { OndeckError, ValidationError } from '../../core/errors.ts';

/** Bad arguments to kmeans (dim, k, options); `field` names the argument. */
export class KMeansError extends ValidationError {
  override name = 'KMeansError';
}

/**
 * Input that cannot make a valid release: items, columns, models, feature spec, or a manifest
 * that parseManifest refuses (then `cause` is its ValidationError and `field` its field).
 */
export class ReleaseInputError extends ValidationError {
  override name = 'ReleaseInputError';
}

/** A core ValidationError (feature spec, manifest) as a ReleaseInputError with the same field; anything else as is. */
export function asReleaseInputError(e: unknown): unknown {
  if (!(e instanceof ValidationError) || e instanceof ReleaseInputError) return e;
  const prefix = e.field ? `${e.field}: ` : '';
  const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
  return new ReleaseInputError(e.field, message, { cause: e });
}

/** No current manifest in the output folder, or no saved manifest for the release id asked for. */
export class ReleaseNotFoundError extends OndeckError {
  override name = 'ReleaseNotFoundError';
  readonly releaseId: string | null;
  constructor(message: string, releaseId: string | null, options?: { cause?: unknown }) {
    super(message, options);
    this.releaseId = releaseId;
  }
}

/** A release id that is already taken by a different manifest: ids name one release forever. */
export class ReleaseConflictError extends OndeckError {
  override name = 'ReleaseConflictError';
  readonly releaseId: string;
  constructor(releaseId: string) {
    super(`release "${releaseId}" already exists with a different manifest; pick another id`);
    this.releaseId = releaseId;
  }
}
