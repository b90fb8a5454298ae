// Candidate-aware history scores (src/core/feed/history-scores.ts), shared by the pipeline and the worker.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import type { FeatureTensor } from '../../../src/core/features/index.ts';
import { HISTORY_SCORES, entryTowerInputs, historyScores, readsHistoryScores } from '../../../src/core/feed/history-scores.ts';
import { parseFeatureSpec } from '../../../src/core/features/index.ts';

const int = (width: number, values: number[]): FeatureTensor => ({ type: 'int32', dims: [1, width], data: Int32Array.from(values) });
const float = (width: number, values: number[]): FeatureTensor => ({ type: 'float32', dims: [1, width], data: Float32Array.from(values) });

describe('history scores', () => {
  it('gives the tower one row per kept entry, that entry alone with weight ±1, other inputs repeated', () => {
    const { inputs, rows } = entryTowerInputs(
      { 'history:ids': int(4, [7, 0, 3, 9]), 'history:weights': float(4, [0.5, 0, -0.25, 0.25]), user_age: int(1, [2]) },
      'history',
    );
    expect(rows).toBe(3);
    expect(Array.from(inputs['history:ids']!.data)).toEqual([7, 0, 0, 0, 3, 0, 0, 0, 9, 0, 0, 0]);
    expect(Array.from(inputs['history:weights']!.data)).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1, 0, 0, 0]);
    expect(inputs['history:ids']!.dims).toEqual([3, 4]);
    expect(Array.from(inputs['user_age']!.data)).toEqual([2, 2, 2]);
  });

  it('keeps at most the newest HISTORY_SCORES.entries entries, and none for an empty history', () => {
    const width = 20;
    const ids = Array.from({ length: width }, (_, k) => k + 1);
    expect(entryTowerInputs({ 'h:ids': int(width, ids), 'h:weights': float(width, ids.map(() => 0.05)) }, 'h').rows).toBe(HISTORY_SCORES.entries);
    expect(entryTowerInputs({ 'h:ids': int(3, [0, 0, 0]), 'h:weights': float(3, [0, 0, 0]) }, 'h').rows).toBe(0);
  });

  it('names the missing history tensors', () => {
    expect(() => entryTowerInputs({ user_age: int(1, [1]) }, 'history')).toThrow(ValidationError);
    expect(() => entryTowerInputs({ user_age: int(1, [1]) }, 'history')).toThrow(/history:ids/);
  });

  it('scores each candidate by its best, newest and recent matches', () => {
    // Entries (newest first): e0 = [1, 0], e1 = [0, 1], e2 = [1, 1], e3 = [-1, 0]; recent = first 3.
    const entries = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]);
    const [a, b] = historyScores(entries, 4, 2, [[2, 0], [0, -1]]);
    // a: 2, 0, 2, -2 -> max 2, last 2, recent (2 + 0 + 2) / 3.
    expect(a!.historyMaxScore).toBeCloseTo(2, 6);
    expect(a!.historyLastScore).toBeCloseTo(2, 6);
    expect(a!.historyRecentScore).toBeCloseTo(4 / 3, 6);
    // b: 0, -1, -1, 0 -> max 0, last 0, recent -2 / 3.
    expect(b!.historyMaxScore).toBeCloseTo(0, 6);
    expect(b!.historyLastScore).toBeCloseTo(0, 6);
    expect(b!.historyRecentScore).toBeCloseTo(-2 / 3, 6);
  });

  it('is zero for a user without entries, and refuses too few numbers', () => {
    expect(historyScores(new Float32Array(0), 0, 2, [[1, 1]])).toEqual([{ historyMaxScore: 0, historyLastScore: 0, historyRecentScore: 0 }]);
    expect(() => historyScores(new Float32Array(3), 2, 2, [[1, 1]])).toThrow(/entryVectors/);
  });

  it('knows whether a spec reads them', () => {
    const spec = (source: string) => parseFeatureSpec({ version: 1, hashSeed: 0, features: [{ name: 'x', kind: 'numeric', source }] });
    expect(readsHistoryScores(spec('context.historyMaxScore'))).toBe(true);
    expect(readsHistoryScores(spec('context.retrievalScore'))).toBe(false);
  });
});
