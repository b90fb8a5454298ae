export { cosine, dotF32, dotInt8, norm, normalize } from './dot.ts';
export { dequantizeRowsInt8, quantizeRowsInt8 } from './quantize.ts';
export type { QuantizedRows } from './quantize.ts';
export { scoreRowsF32, scoreRowsInt8 } from './score.ts';
export { topK } from './top-k.ts';
export type { TopKOptions, TopKResult } from './top-k.ts';
