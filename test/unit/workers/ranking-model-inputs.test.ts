import { describe, expect, it } from 'vitest';
import { USER_INDEX_TENSOR, type FeatureTensor } from '../../../src/core/features/index.ts';
import type { ModelRef } from '../../../src/core/release/index.ts';
import { bindTensors } from '../../../workers/ranking/model-inputs.ts';

// Per-user tensors (buildFeatureTensors' perUser) against models with and without per-user
// inputs: what each graph input receives.

const int = (dims: [number, number], ...data: number[]): FeatureTensor => ({ type: 'int32', dims, data: Int32Array.from(data) });
const float = (dims: [number, number], ...data: number[]): FeatureTensor => ({ type: 'float32', dims, data: Float32Array.from(data) });

// 4 rows of 2 users: rows 0 and 2 are user 0, rows 1 and 3 user 1.
const perUser = {
  item_id: int([4, 1], 11, 12, 13, 14),
  'history:ids': int([2, 2], 1, 2, 3, 0),
  'history:weights': float([2, 2], 0.5, 0.25, 1, 0),
  [USER_INDEX_TENSOR]: int([4, 1], 0, 1, 0, 1),
};
const inputs = [
  { name: 'item_id', tensor: 'item_id' },
  { name: 'history__ids', tensor: 'history:ids' },
  { name: 'history__weights', tensor: 'history:weights' },
];
const legacy: ModelRef = { artifact: 'ranker', inputs, outputs: { pClick: 'p_click' } };
const modern: ModelRef = { artifact: 'ranker', inputs: [...inputs, { name: 'user__index', tensor: USER_INDEX_TENSOR }], outputs: { pClick: 'p_click' } };

const fed = (model: ModelRef, tensors: Record<string, FeatureTensor>) => {
  const { bound, rows } = bindTensors(model, null, tensors);
  return { rows, ...Object.fromEntries(bound.map(([name, t]) => [name, { dims: t.dims, data: [...t.data] }])) };
};

describe('bindTensors with per-user tensors', () => {
  it('feeds them as they are to a model with per-user inputs', () => {
    expect(fed(modern, perUser)).toEqual({
      rows: 4,
      item_id: { dims: [4, 1], data: [11, 12, 13, 14] },
      history__ids: { dims: [2, 2], data: [1, 2, 3, 0] },
      history__weights: { dims: [2, 2], data: [0.5, 0.25, 1, 0] },
      user__index: { dims: [4, 1], data: [0, 1, 0, 1] },
    });
  });

  it('gives a model without them (an older release, a model trained elsewhere) each row its user\'s values', () => {
    expect(fed(legacy, perUser)).toEqual({
      rows: 4,
      item_id: { dims: [4, 1], data: [11, 12, 13, 14] },
      history__ids: { dims: [4, 2], data: [1, 2, 3, 0, 1, 2, 3, 0] },
      history__weights: { dims: [4, 2], data: [0.5, 0.25, 1, 0, 0.5, 0.25, 1, 0] },
    });
  });

  it('feeds one-row-per-row tensors to a model with per-user inputs as one user per row', () => {
    const flat = { item_id: int([2, 1], 11, 12), 'history:ids': int([2, 2], 1, 2, 3, 0), 'history:weights': float([2, 2], 0.5, 0.25, 1, 0) };
    expect(fed(modern, flat)).toMatchObject({ rows: 2, history__ids: { dims: [2, 2] }, user__index: { dims: [2, 1], data: [0, 1] } });
  });

  it('names a tensor with neither a row per row nor a row per user, and a bad index', () => {
    const bad = { ...perUser, 'history:ids': int([3, 2], 1, 2, 3, 0, 4, 5) };
    expect(() => bindTensors(modern, null, bad)).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'tensors["history:ids"]', message: expect.stringContaining('4 rows of 2 users') }));
    const negative = { ...perUser, [USER_INDEX_TENSOR]: int([4, 1], 0, 1, -1, 1) };
    expect(() => bindTensors(legacy, null, negative)).toThrow(expect.objectContaining({ field: `tensors["${USER_INDEX_TENSOR}"]` }));
  });
});
