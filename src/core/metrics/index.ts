export { catalogCoverage, categorySetDistance, intraListDiversity } from './catalog.ts';
export { auc, logloss } from './classification.ts';
export { meanOver } from './mean-over.ts';
export { mapAtK, ndcgAtK, precisionAtK, recallAtK } from './retrieval.ts';
