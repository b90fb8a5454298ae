import { meanOver, recallAtK } from '../../core/metrics/index.ts';
import { topK } from '../../core/vectors/index.ts';
import type { Interaction } from '../data/index.ts';
import { EVALUATE_DEFAULTS } from './defaults.ts';
import { EvaluationInputError } from './errors.ts';
import { checkKs, seenMask } from './checks.ts';
import { prepareProtocol, type Catalog, type EvalSplit, type ProtocolCounts } from './protocol.ts';

/**
 * A retrieval model as the harness sees it: one score per catalog index for a user, given
 * their train history (time order). Higher is better. The harness never writes into the
 * array, so a model may return the same array for every user (popularity does).
 */
export type ScoreAll = (user: string, history: readonly Interaction[]) => Float32Array | Float64Array;

export type RecallKey = `recall@${number}`;

export interface RetrievalReport extends ProtocolCounts {
  /** Mean Recall@K over test users, one key per K asked for. */
  [metric: RecallKey]: number;
  /**
   * Relevant pairs on items that no train interaction names and that the model still put in
   * its top max(ks): how much of the unseen-in-train share it recovers.
   */
  unseenInTrainHits: number;
}

/**
 * Recall@K of a retrieval model under the protocol of protocol.ts: for each test user, score
 * the whole catalog, exclude the user's seen items (as if scored -Infinity, except that they
 * are never selected even when fewer than K other items remain), take the top max(ks) with
 * topK (ties: lower catalog index first) and compute Recall@K of each prefix against the
 * user's relevant items; average over test users.
 *
 * One top-k per user serves every K, so the curve over ks=[10, 20, 50, 100, 200] costs what
 * recall@200 alone does. Throws EvaluationInputError when a model returns the wrong number
 * of scores or a NaN (NaN would silently drop the item: topK never selects it).
 */
export function evaluateRetrieval(
  split: EvalSplit,
  catalog: Catalog,
  scoreAll: ScoreAll,
  ks: readonly number[] = EVALUATE_DEFAULTS.retrievalKs,
): RetrievalReport {
  const cutoffs = checkKs(ks);
  const maxK = cutoffs[cutoffs.length - 1]!;
  const p = prepareProtocol(split, catalog);
  const n = catalog.length;
  const perK = cutoffs.map(() => new Float64Array(p.users.length));
  const mask = new Uint8Array(n);
  const exclude = (i: number): boolean => mask[i] === 1;
  let unseenInTrainHits = 0;

  p.users.forEach((u, ui) => {
    const scores = scoreAll(u.user, u.history);
    const field = `scoreAll(user "${u.user}")`;
    if (scores.length !== n) throw new EvaluationInputError(field, `returned ${scores.length} scores, the catalog has ${n} items`);
    const nan = firstNaN(scores);
    if (nan >= 0) throw new EvaluationInputError(field, `returned NaN for item "${catalog[nan]}" (catalog index ${nan})`);
    const top = seenMask(mask, u.seen, () => topK(scores, maxK, { exclude }));
    const ranked = Array.from(top.indices);
    const relevant = new Set(u.relevant);
    cutoffs.forEach((k, ki) => {
      perK[ki]![ui] = recallAtK(ranked, relevant, k);
    });
    for (const i of ranked) if (relevant.has(i) && p.inTrain[i] === 0) unseenInTrainHits++;
  });

  const report = { ...p.counts, unseenInTrainHits } as RetrievalReport;
  cutoffs.forEach((k, ki) => {
    report[`recall@${k}`] = meanOver(perK[ki]!).mean;
  });
  return report;
}

/** Index of the first NaN score, -1 when none: a small loop of its own, which V8 optimises apart from the per-user closure. */
function firstNaN(scores: Float32Array | Float64Array): number {
  for (let i = 0; i < scores.length; i++) if (scores[i]! !== scores[i]!) return i;
  return -1;
}
