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
  /**
   * Mean over groups (users) of the AUC within the group, over groups with both classes: how well
   * each user's own list is ordered, which is all a feed does (pooled AUC also rewards telling
   * active users from quiet ones). Present only when groups were given.
   */
  groupAuc?: number;
}

/**
 * AUC and logloss of a ranker's P(positive) on labelled rows (test impressions, or test
 * ratings thresholded into like / skip). A slice with one class or no rows gives NaN rather
 * than a throw, so a warm/cold or per-category breakdown can report it with its counts; bad
 * input (labels not 0/1, probabilities outside [0, 1], lengths that differ) still throws.
 */
export function evaluateRanking(labels: ArrayLike<number>, probs: ArrayLike<number>, groups?: ArrayLike<number>): RankingReport {
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
  const report: RankingReport = { auc: area, logloss: loss, rows, positives };
  if (groups !== undefined) report.groupAuc = groupedAuc(labels, probs, groups);
  return report;
}

/** Mean within-group AUC over the groups that hold both classes (rows of a group contiguous or not). */
function groupedAuc(labels: ArrayLike<number>, probs: ArrayLike<number>, groups: ArrayLike<number>): number {
  if (groups.length !== labels.length) throw new EvaluationInputError('groups.length', `must equal labels.length (${labels.length}), got ${groups.length}`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const list = members.get(groups[i]!);
    if (list) list.push(i);
    else members.set(groups[i]!, [i]);
  }
  let sum = 0;
  let n = 0;
  for (const rows of members.values()) {
    const y = rows.map((r) => labels[r]!);
    const pos = y.reduce((a, b) => a + b, 0);
    if (pos === 0 || pos === y.length) continue;
    sum += auc(y, rows.map((r) => probs[r]!));
    n++;
  }
  return n > 0 ? sum / n : NaN;
}
