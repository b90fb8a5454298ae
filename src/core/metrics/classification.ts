import { ValidationError } from '../errors.ts';
import { checkSameLength } from './check.ts';

/**
 * AUC is undefined when the labels hold one class only (no positive-negative pair to order).
 * A subclass of ValidationError, with its own stable name, so an evaluation over slices can
 * branch on `err.name === 'SingleClassError'` and skip the slice, while other bad input still
 * fails.
 */
export class SingleClassError extends ValidationError {
  override name = 'SingleClassError';
}

/**
 * Area under the ROC curve via the Mann-Whitney U statistic:
 * AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋), with R₊ the sum of the positives' ranks by ascending
 * score. Tied scores get the average of their ranks, which counts a tied positive-negative
 * pair as half ordered, the same as the trapezoidal ROC area. O(n log n): one sort.
 *
 * Labels must be 0 or 1; scores must not be NaN (±Infinity is fine: it only orders).
 * Throws SingleClassError when there is no positive or no negative.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkSameLength(labels, scores, 'labels', 'scores');
  const n = labels.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y === 1) nPos++;
    else if (y !== 0) throw new ValidationError(`labels[${i}]`, `must be 0 or 1, got ${y}`);
    if (Number.isNaN(scores[i]!)) throw new ValidationError(`scores[${i}]`, 'is NaN');
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new SingleClassError('labels', `AUC needs both classes, got ${nPos} positives and ${nNeg} negatives`);
  }

  const s = Float64Array.from({ length: n }, (_, i) => scores[i]!);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[a]! - s[b]! || 0);

  // Walk runs of equal scores; every member of a run gets the run's average 1-based rank.
  let rankSumPos = 0;
  for (let start = 0; start < n; ) {
    const v = s[order[start]!]!;
    let end = start + 1;
    while (end < n && s[order[end]!]! === v) end++;
    const avgRank = (start + 1 + end) / 2;
    let posInRun = 0;
    for (let t = start; t < end; t++) posInRun += labels[order[t]!]!;
    rankSumPos += posInRun * avgRank;
    start = end;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Mean binary cross-entropy, −mean(y log p + (1 − y) log(1 − p)), natural log, with p clipped
 * to [eps, 1 − eps] so one confident mistake costs log(1/eps) ≈ 16.1 (eps = 1e-7) instead of
 * Infinity. Labels may be soft, in [0, 1] (the watch-fraction head is trained on fractions);
 * probabilities must be in [0, 1].
 */
export function logloss(labels: ArrayLike<number>, probs: ArrayLike<number>, eps = 1e-7): number {
  checkSameLength(labels, probs, 'labels', 'probs');
  if (!(eps > 0 && eps < 0.5)) throw new ValidationError('eps', `must be in (0, 0.5), got ${eps}`);
  const n = labels.length;
  if (n === 0) throw new ValidationError('labels', 'is empty: logloss is a mean over at least one example');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    const p0 = probs[i]!;
    if (!(y >= 0 && y <= 1)) throw new ValidationError(`labels[${i}]`, `must be in [0, 1], got ${y}`);
    if (!(p0 >= 0 && p0 <= 1)) throw new ValidationError(`probs[${i}]`, `must be in [0, 1], got ${p0}`);
    const p = p0 < eps ? eps : p0 > 1 - eps ? 1 - eps : p0;
    // Skip a zero-weight term: 0 · log(...) is 0, and computing it costs a log.
    if (y > 0) sum -= y * Math.log(p);
    if (y < 1) sum -= (1 - y) * Math.log(1 - p);
  }
  return sum / n;
}
