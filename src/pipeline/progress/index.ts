export { PROGRESS_DEFAULTS } from './defaults.ts';
export {
  formatCountOf,
  formatElapsed,
  formatRate,
  plainLine,
  renderBar,
  ttyLine,
  type ProgressState,
} from './format-progress.ts';
export {
  createProgress,
  type Progress,
  type ProgressOptions,
  type ProgressStream,
  type StageProgress,
} from './progress.ts';
export { renderSummaryTable, type SummaryRow } from './summary-table.ts';
