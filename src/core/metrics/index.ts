export { catalogCoverage, categoryDistance, categorySetDistance, embeddingDistance, intraListDiversity } from './catalog.ts';
export { SingleClassError, auc, logloss } from './classification.ts';
export { meanOver } from './mean-over.ts';
export type { MeanOver } from './mean-over.ts';
export { mapAtK, ndcgAtK, precisionAtK, recallAtK } from './retrieval.ts';
export type { Id } from './retrieval.ts';
export { PSI_EPSILON, psi, psiStatus } from './psi.ts';
