import { OndeckError, ValidationError } from '../errors.ts';

/** Why a byte string is not a valid shard; stable, so callers and logs can branch on it. */
export type ShardFormatReason =
  | 'bad-magic'
  | 'truncated'
  | 'length-mismatch'
  | 'checksum-mismatch'
  | 'bad-header'
  | 'bad-section'
  | 'bad-string'
  | 'bad-value';

/** The bytes are not a shard, or not a whole and consistent one. */
export class ShardFormatError extends OndeckError {
  override name = 'ShardFormatError';
  readonly reason: ShardFormatReason;
  constructor(reason: ShardFormatReason, message: string, options?: { cause?: unknown }) {
    super(`shard ${reason}: ${message}`, options);
    this.reason = reason;
  }
}

/** A shard written in a format version this reader does not know (usually: the app is older). */
export class ShardVersionError extends OndeckError {
  override name = 'ShardVersionError';
  readonly version: number;
  readonly supported: readonly number[];
  constructor(version: number, supported: readonly number[]) {
    super(`shard format version ${version} is not supported; this reader supports ${supported.join(', ')}`);
    this.version = version;
    this.supported = supported;
  }
}

/** Bad input to encodeShard; `field` names the offending path, e.g. `columns[1].data`. */
export class ShardInputError extends ValidationError {
  override name = 'ShardInputError';
}

/** A lookup on a decoded shard that cannot succeed: unknown column or meta field, index out of range. */
export class ShardLookupError extends OndeckError {
  override name = 'ShardLookupError';
  readonly key: string | number;
  constructor(message: string, key: string | number) {
    super(message);
    this.key = key;
  }
}

/** Typed-array views are host-endian and the format is little-endian: big-endian hosts are refused. */
export class ShardHostError extends OndeckError {
  override name = 'ShardHostError';
}
