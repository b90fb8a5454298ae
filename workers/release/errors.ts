/**
 * Errors of the release loader. Across comlink only name, message and stack survive, so every
 * class sets a stable `name` and puts what a caller needs to act on into the message too.
 * ReleaseIntegrityError is shared with the pipeline: src/core/release/errors.ts.
 */
import { OndeckError } from '../../src/core/errors.ts';

/** A download failed: no response at all (`status` null: offline, DNS, CORS) or an HTTP error. */
export class ReleaseFetchError extends OndeckError {
  override name = 'ReleaseFetchError';
  readonly url: string;
  readonly status: number | null;
  constructor(url: string, status: number | null, options?: { cause?: unknown }) {
    const why = status === null ? `no response (offline?)${causeText(options?.cause)}` : `HTTP ${status}`;
    super(`could not fetch ${url}: ${why}`, options);
    this.url = url;
    this.status = status;
  }
}

/** The manifest downloaded but is not JSON or breaks the contract; `cause` has the details. */
export class ReleaseManifestError extends OndeckError {
  override name = 'ReleaseManifestError';
  readonly url: string;
  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`the manifest at ${url} is invalid: ${reason}`, options);
    this.url = url;
  }
}

export type SignatureProblem = 'unsigned' | 'wrong-key' | 'invalid';

/**
 * The manifest is not signed by the key the app pins: no signature (and the app does not allow
 * unsigned releases), a signature by another key, or one that does not match the manifest
 * (tampered with). Nothing of such a manifest is used.
 */
export class ReleaseSignatureError extends OndeckError {
  override name = 'ReleaseSignatureError';
  readonly url: string;
  readonly problem: SignatureProblem;
  constructor(url: string, problem: SignatureProblem, detail: string, options?: { cause?: unknown }) {
    super(`the manifest at ${url} ${detail}`, options);
    this.url = url;
    this.problem = problem;
  }
}

/** The manifest is older than the last good release (a lower sequence): a rollback the device refuses. */
export class ReleaseRollbackError extends OndeckError {
  override name = 'ReleaseRollbackError';
  readonly releaseId: string;
  readonly lastGood: string;
  constructor(facts: { releaseId: string; order: string; lastGood: string; lastGoodOrder: string }) {
    super(
      `release ${facts.releaseId} (${facts.order}) is older than the last good release ${facts.lastGood} (${facts.lastGoodOrder}); ` +
        'a device never goes back to an older release',
    );
    this.releaseId = facts.releaseId;
    this.lastGood = facts.lastGood;
  }
}

/**
 * Cache Storage refused a write (quota, private mode) or does not exist (insecure context). The
 * release still works from memory, but will not be there offline.
 */
export class ReleaseStorageError extends OndeckError {
  override name = 'ReleaseStorageError';
}

/** No release can be used: the network one failed and no (intact) last good one is cached. */
export class ReleaseUnavailableError extends OndeckError {
  override name = 'ReleaseUnavailableError';
}

/** An artifact name or a cluster id the release does not have. */
export class ReleaseLookupError extends OndeckError {
  override name = 'ReleaseLookupError';
  readonly key: string | number;
  constructor(message: string, key: string | number) {
    super(message);
    this.key = key;
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error && cause.message ? `: ${cause.message}` : '';
}
