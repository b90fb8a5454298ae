export { encodeShard } from './encode.ts';
export { decodeShard } from './decode.ts';
export type { ShardColumnInput, ShardInfo } from './input.ts';
export type { Shard } from './shard.ts';
export { itemVector, scoreShard } from './score.ts';
export { type ColumnType, type Quantization } from './format.ts';
