export { RERANK_DEFAULTS } from './defaults.ts';
export { DAY_MS, ageDays, freshnessMultiplier } from './freshness.ts';
export { explorationPositions } from './exploration.ts';
export { REASONS, becauseYouWatch } from './reasons.ts';
export { rerank } from './rerank.ts';
export type { RerankCandidate, RerankOptions, RerankedItem } from './types.ts';
