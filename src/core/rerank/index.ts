export { rerank } from './rerank.ts';
export type { RerankCandidate, RerankOptions, RerankedItem } from './types.ts';
