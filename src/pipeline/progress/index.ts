export { createProgress, type Progress } from './progress.ts';
export { renderSummaryTable } from './summary-table.ts';
