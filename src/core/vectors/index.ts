export { cosine, dotF32 } from './dot.ts';
export { scoreRowsF32 } from './score.ts';
export { topK } from './top-k.ts';
