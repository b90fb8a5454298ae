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

export type ReleaseIntegrityReason = 'missing' | 'size' | 'sha256' | 'undecodable' | 'mismatch' | 'unsupported-url';

/**
 * An artifact on disk is not what the manifest says: missing, wrong size or hash, a shard that
 * does not decode or does not match the manifest (cluster, dim, items). `artifact` names it.
 */
export class ReleaseIntegrityError extends OndeckError {
  override name = 'ReleaseIntegrityError';
  readonly artifact: string;
  readonly reason: ReleaseIntegrityReason;
  constructor(artifact: string, reason: ReleaseIntegrityReason, message: string, options?: { cause?: unknown }) {
    super(`artifact "${artifact}" ${reason}: ${message}`, options);
    this.artifact = artifact;
    this.reason = reason;
  }
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

export const RELEASE_ERROR_NAMES: readonly string[] = Object.freeze([
  'KMeansError',
  'ReleaseInputError',
  'ReleaseIntegrityError',
  'ReleaseNotFoundError',
  'ReleaseConflictError',
]);
