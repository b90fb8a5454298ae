/**
 * The one error for an artifact that is not what its manifest says, wherever it was checked: a
 * file in the release folder (the pipeline's verify and rollback) or bytes a device downloaded
 * or read from Cache Storage (workers/release). `reason` says what is wrong; a check of bytes
 * against the manifest also carries both sizes and hashes.
 */
import { OndeckError } from '../errors.ts';

export type ReleaseIntegrityReason = 'missing' | 'size' | 'sha256' | 'undecodable' | 'mismatch' | 'unsupported-url';

/** What a byte string was checked against, and what it turned out to be. */
export interface IntegrityFacts {
  artifact: string;
  url: string;
  expected: { bytes: number; sha256: string };
  /** `sha256` is null when the size was already wrong (hashing would add nothing). */
  actual: { bytes: number; sha256: string | null };
  /** Where the bytes came from: a download, or Cache Storage (which can be tampered with too). */
  source: 'network' | 'cache';
}

/** An artifact is missing, or its bytes do not match the size, SHA-256 or contents the manifest gives. */
export class ReleaseIntegrityError extends OndeckError {
  override name = 'ReleaseIntegrityError';
  readonly artifact: string;
  readonly reason: ReleaseIntegrityReason;
  /** Where the checked bytes came from; 'disk' for a file of a release folder. */
  readonly source: IntegrityFacts['source'] | 'disk';
  /** The bytes' URL, when a device checked them; null for a file on disk. */
  readonly url: string | null;
  /** Size and SHA-256 the manifest gives, when bytes were checked against it (a device); else null. */
  readonly expected: IntegrityFacts['expected'] | null;
  readonly actual: IntegrityFacts['actual'] | null;

  /**
   * The message reads `artifact "<name>" <reason>: <message>` for a file of a release folder,
   * and `artifact "<name>" from the <source> (<url>) failed verification: <message>` for bytes
   * a device checked (`checked`).
   */
  constructor(artifact: string, reason: ReleaseIntegrityReason, message: string, options?: { cause?: unknown; checked?: Omit<IntegrityFacts, 'artifact'> }) {
    const checked = options?.checked;
    super(checked ? `artifact "${artifact}" from the ${checked.source} (${checked.url}) failed verification: ${message}` : `artifact "${artifact}" ${reason}: ${message}`, options);
    this.artifact = artifact;
    this.reason = reason;
    this.source = checked?.source ?? 'disk';
    this.url = checked?.url ?? null;
    this.expected = checked?.expected ?? null;
    this.actual = checked?.actual ?? null;
  }

  /** Bytes a device downloaded or read from its cache that do not match the manifest's size or SHA-256. */
  static ofBytes(facts: IntegrityFacts, options?: { cause?: unknown }): ReleaseIntegrityError {
    const { artifact, ...checked } = facts;
    const sizeWrong = facts.actual.sha256 === null;
    const what = sizeWrong ? `expected ${facts.expected.bytes} bytes, got ${facts.actual.bytes}` : `expected sha256 ${facts.expected.sha256}, got ${facts.actual.sha256}`;
    return new ReleaseIntegrityError(artifact, sizeWrong ? 'size' : 'sha256', what, { ...options, checked });
  }

  /** The device's facts again (a damaged cached copy re-thrown with the failed download as cause); null for a file on disk. */
  facts(): IntegrityFacts | null {
    if (this.source === 'disk' || this.url === null || this.expected === null || this.actual === null) return null;
    return { artifact: this.artifact, url: this.url, expected: this.expected, actual: this.actual, source: this.source };
  }
}
