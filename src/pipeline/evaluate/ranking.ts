import { auc, logloss } from '../../core/metrics/index.ts';
import { EvaluationInputError } from './errors.ts';

export interface RankingReport {
  /** ROC AUC; NaN when the rows hold one class only (a slice with no click, say). */
  auc: number;
  /** Mean binary cross-entropy, probabilities clipped to [1e-7, 1 - 1e-7]; NaN for no rows. */
  logloss: number;
  rows: number;
  /** Rows with label 1. */
  positives: number;
}

/**
 * AUC and logloss of a ranker's P(positive) on labelled rows (test impressions, or test
 * ratings thresholded into like / skip). A slice with one class or no rows gives NaN rather
 * than a throw, so a warm/cold or per-category breakdown can report it with its counts; bad
 * input (labels not 0/1, probabilities outside [0, 1], lengths that differ) still throws.
 */
export function evaluateRanking(labels: ArrayLike<number>, probs: ArrayLike<number>): RankingReport {
  if (labels.length !== probs.length) {
    throw new EvaluationInputError('probs.length', `must equal labels.length (${labels.length}), got ${probs.length}`);
  }
  const rows = labels.length;
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const y = labels[i]!;
    if (y === 1) positives++;
    else if (y !== 0) throw new EvaluationInputError(`labels[${i}]`, `must be 0 or 1, got ${y}`);
  }
  if (rows === 0) return { auc: NaN, logloss: NaN, rows, positives };
  const loss = logloss(labels, probs);
  const area = positives === 0 || positives === rows ? NaN : auc(labels, probs);
  return { auc: area, logloss: loss, rows, positives };
}
