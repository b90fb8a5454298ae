/**
 * Candidate-aware history scores: how a candidate relates to each of the user's newest history
 * entries on its own, not only to the pooled history. The user tower is run once more, on a
 * batch with one row per entry (that entry alone, weight 1): row k is the vector of "a user who
 * liked only entry k". A candidate's score against it is that vector · the item vector, as
 * retrieval scores the pooled history. The ranker reads three summaries of those scores:
 *
 *   historyMaxScore     the best single match (one film very like one you liked, which a pooled
 *                       mean dilutes);
 *   historyLastScore    the match with the newest entry (what the user is on now);
 *   historyRecentScore  the mean over the newest `recentEntries`.
 *
 * Any user tower can be run this way (a foreign one too), so the definition does not depend on
 * how the tower pools. The pipeline and the worker call these functions, so both rank on the
 * same numbers.
 */
import { ValidationError } from '../errors.ts';
import type { FeatureSpec, FeatureTensor } from '../features/index.ts';

export const HISTORY_SCORES = Object.freeze({
  /** Entries scored on their own, newest first (the tower's batch: one row each). */
  entries: 8,
  /** Entries averaged by historyRecentScore. */
  recentEntries: 3,
});

/** The `context` fields the summaries fill, in the order of HistoryScoreContext. */
export const HISTORY_SCORE_FIELDS = Object.freeze(['historyMaxScore', 'historyLastScore', 'historyRecentScore'] as const);

export type HistoryScoreContext = Record<(typeof HISTORY_SCORE_FIELDS)[number], number>;

/** Whether a spec has a feature that reads one of the history scores (else none is computed). */
export function readsHistoryScores(spec: FeatureSpec): boolean {
  const sources = new Set(HISTORY_SCORE_FIELDS.map((f) => `context.${f}`));
  return spec.features.some((f) => 'source' in f && sources.has(f.source));
}

/**
 * The user tower's inputs with one row per kept entry of the history feature `history` (whose
 * tensors are `<history>:ids` and `<history>:weights`), newest first, at most `limit`: row k
 * holds entry k alone with weight ±1 (its sign kept), every other tensor is the user's row
 * repeated. `tensors` holds one user's row (row 0 is read). Returns no rows for an empty
 * history.
 */
export function entryTowerInputs(
  tensors: Readonly<Record<string, FeatureTensor>>,
  history: string,
  limit: number = HISTORY_SCORES.entries,
): { inputs: Record<string, FeatureTensor>; rows: number } {
  const ids = tensors[`${history}:ids`];
  const weights = tensors[`${history}:weights`];
  if (!ids || !weights) throw new ValidationError('history', `the tower's inputs have no "${history}:ids" and "${history}:weights" tensors`);
  const width = ids.dims[1];
  const kept: number[] = [];
  for (let k = 0; k < width && kept.length < limit; k++) if (weights.data[k] !== 0) kept.push(k);
  const rows = kept.length;
  const inputs: Record<string, FeatureTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    const w = t.dims[1];
    const data = t.type === 'int32' ? new Int32Array(rows * w) : new Float32Array(rows * w);
    if (t === ids) kept.forEach((k, r) => (data[r * w] = ids.data[k]!));
    else if (t === weights) kept.forEach((k, r) => (data[r * w] = Math.sign(weights.data[k]!)));
    else for (let r = 0; r < rows; r++) data.set(t.data.subarray(0, w), r * w);
    inputs[name] = { type: t.type, dims: [rows, w], data };
  }
  return { inputs, rows };
}

/**
 * The history scores of each candidate: `entryVectors` holds `rows` tower outputs of length
 * `dim` (row-major, newest entry first), `items` the candidates' item vectors. All zeros
 * without entries (a new user: nothing to relate to).
 */
export function historyScores(entryVectors: Float32Array, rows: number, dim: number, items: readonly ArrayLike<number>[]): HistoryScoreContext[] {
  if (entryVectors.length < rows * dim) throw new ValidationError('entryVectors', `needs ${rows} × ${dim} numbers, got ${entryVectors.length}`);
  const recent = Math.min(HISTORY_SCORES.recentEntries, rows);
  return items.map((v) => {
    if (rows === 0) return { historyMaxScore: 0, historyLastScore: 0, historyRecentScore: 0 };
    let max = -Infinity;
    let last = 0;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const base = r * dim;
      for (let k = 0; k < dim; k++) s += entryVectors[base + k]! * v[k]!;
      if (s > max) max = s;
      if (r === 0) last = s;
      if (r < recent) sum += s;
    }
    return { historyMaxScore: max, historyLastScore: last, historyRecentScore: sum / recent };
  });
}
