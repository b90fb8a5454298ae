export { encodeShard } from './encode.ts';
export { decodeShard } from './decode.ts';
export type { ShardColumnInput, ShardInfo, ShardInput } from './input.ts';
export type { Shard, ShardColumnInfo } from './shard.ts';
export { crc32 } from './crc32.ts';
export { itemVector, scoreShard } from './score.ts';
export {
  COLUMN_TYPE_NAMES,
  SHARD_MAGIC,
  SHARD_VERSION,
  SUPPORTED_SHARD_VERSIONS,
  type ColumnArray,
  type ColumnType,
  type Quantization,
} from './format.ts';
export {
  ShardFormatError,
  ShardHostError,
  ShardInputError,
  ShardLookupError,
  ShardVersionError,
  type ShardFormatReason,
} from './errors.ts';
