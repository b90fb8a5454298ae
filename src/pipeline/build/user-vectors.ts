/**
 * The user tower run as the device runs it, for many users at once: the pooled user vector of
 * each (user, history, moment), and the per-entry vectors the history scores read
 * (src/core/feed/history-scores.ts).
 */
import { entryTowerInputs } from '../../core/feed/index.ts';
import type { FeatureRow, FeatureSpec, FeatureTensor } from '../../core/features/index.ts';
import type { Interaction } from '../data/index.ts';
import { buildTensorsPerRow } from '../evaluate/index.ts';
import type { ExampleBuilder } from '../features/index.ts';
import { embedUsers, type TwoTowerParams } from '../train/index.ts';

export type UserMoment = { user: string; history: readonly Interaction[]; now: number };

/** The history feature the retrieval tower pools. */
export const TOWER_HISTORY = 'history';

/** The tower's inputs (its history feature) for these users, one row each. */
function towerInputs(spec: FeatureSpec, builder: ExampleBuilder, users: readonly UserMoment[]): Record<string, FeatureTensor> {
  const rows: FeatureRow[] = users.map((u) => ({ user: builder.user(u.user, builder.history(u.history)) }));
  const all = buildTensorsPerRow(spec, rows, Float64Array.from(users, (u) => u.now));
  const inputs: Record<string, FeatureTensor> = {};
  for (const [name, t] of Object.entries(all)) if (name.split(':')[0] === TOWER_HISTORY) inputs[name] = t;
  return inputs;
}

/** User vectors of many users at once (one batched tower call), in order. */
export function userVectorsOf(spec: FeatureSpec, builder: ExampleBuilder, tower: TwoTowerParams, users: readonly UserMoment[]): Float32Array[] {
  const dim = tower.config.outputDim;
  const vectors = embedUsers(tower, towerInputs(spec, builder, users));
  return users.map((_, i) => vectors.slice(i * dim, (i + 1) * dim));
}

/**
 * Each user's per-entry vectors (newest history entry first, at most HISTORY_SCORES.entries
 * rows of `dim`), as the device computes them: src/core's entryTowerInputs over the user's own
 * tower row, all users in one batched tower call.
 */
export function entryVectorsOf(spec: FeatureSpec, builder: ExampleBuilder, tower: TwoTowerParams, users: readonly UserMoment[]): { vectors: Float32Array; rows: number }[] {
  const dim = tower.config.outputDim;
  const inputs = towerInputs(spec, builder, users);
  const parts = users.map((_, u) => entryTowerInputs(rowOf(inputs, u), TOWER_HISTORY));
  const total = parts.reduce((s, p) => s + p.rows, 0);
  if (total === 0) return parts.map(() => ({ vectors: new Float32Array(0), rows: 0 }));
  const batch: Record<string, FeatureTensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    const w = t.dims[1];
    const data = t.type === 'int32' ? new Int32Array(total * w) : new Float32Array(total * w);
    let at = 0;
    for (const p of parts) {
      data.set(p.inputs[name]!.data, at * w);
      at += p.rows;
    }
    batch[name] = { type: t.type, dims: [total, w], data };
  }
  const vectors = embedUsers(tower, batch);
  let at = 0;
  return parts.map((p) => {
    const out = { vectors: vectors.slice(at * dim, (at + p.rows) * dim), rows: p.rows };
    at += p.rows;
    return out;
  });
}

function rowOf(inputs: Readonly<Record<string, FeatureTensor>>, r: number): Record<string, FeatureTensor> {
  const out: Record<string, FeatureTensor> = {};
  for (const [name, t] of Object.entries(inputs)) {
    const w = t.dims[1];
    out[name] = { type: t.type, dims: [1, w], data: t.data.subarray(r * w, (r + 1) * w) };
  }
  return out;
}
