/**
 * Golden vectors: a few input rows of each model with the outputs the pipeline computed, and a
 * retrieval query with its top ids over the head shard. A release carries them in its manifest;
 * a device serves from a runtime (ranking provider, retrieval backend) only once it has
 * reproduced them (DESIGN: no runtime is trusted unverified). The checks live here, pure, so the
 * worker, the tests and the pipeline judge a result the same way.
 */
import * as v from 'valibot';
import { finite, name, positiveInt } from '../validation.ts';
import { RELEASE_CONTRACT_DEFAULTS } from './defaults.ts';

const dims = v.pipe(v.array(positiveInt), v.length(2, 'must be [rows, width]'));

const goldenTensorSchema = v.object({
  type: v.picklist(['int32', 'float32'], 'must be "int32" or "float32"'),
  /** [rows, width], as buildFeatureTensors makes it. */
  dims,
  /** Row-major values; float32 values written as the shortest decimal that reads back exactly. */
  data: v.array(finite),
});

export const modelGoldenSchema = v.object({
  rows: positiveInt,
  /** Feature tensor name (a binding's `tensor`, e.g. `history:ids`) -> its values for the rows. */
  inputs: v.record(name, goldenTensorSchema),
  /** Output role -> the pipeline's values, row-major ([rows] for heads, [rows × dim] for vectors). */
  outputs: v.record(v.picklist(['pClick', 'watchFraction', 'userVector']), v.array(finite)),
});

export const retrievalGoldenSchema = v.object({
  /** The shard the ids are from: the release's head shard (cluster -1), which every device holds. */
  shard: name,
  query: v.pipe(v.array(finite), v.minLength(1, 'must not be empty')),
  /** Item ids, best first (ties to the lower item index, as src/core topK breaks them). */
  ids: v.pipe(v.array(v.string()), v.minLength(1, 'must not be empty')),
  /** query · item of each id, as src/core scoreShard computes it. */
  scores: v.array(finite),
});

export type GoldenTensor = v.InferOutput<typeof goldenTensorSchema>;
export type ModelGolden = v.InferOutput<typeof modelGoldenSchema>;
export type RetrievalGolden = v.InferOutput<typeof retrievalGoldenSchema>;

/** How one runtime fared against the golden vectors. */
export interface GoldenCheck {
  ok: boolean;
  /** Largest |got - want| over every value compared (Infinity for a missing or non-finite one). */
  maxDiff: number;
  /** Why it failed, naming the output and row; null when ok. */
  problem: string | null;
}

/** The golden inputs as feature tensors (what buildFeatureTensors returns), for a runner's run(). */
export function goldenTensors(golden: ModelGolden): Record<string, { type: 'int32' | 'float32'; dims: [number, number]; data: Int32Array | Float32Array }> {
  const out: Record<string, { type: 'int32' | 'float32'; dims: [number, number]; data: Int32Array | Float32Array }> = {};
  for (const [tensor, t] of Object.entries(golden.inputs)) {
    out[tensor] = { type: t.type, dims: [t.dims[0]!, t.dims[1]!], data: t.type === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data) };
  }
  return out;
}

/** Compares a run's outputs (role -> values) with the golden ones, within `tolerance`. */
export function checkGoldenOutputs(
  golden: ModelGolden,
  got: Readonly<Partial<Record<string, ArrayLike<number>>>>,
  tolerance: number = RELEASE_CONTRACT_DEFAULTS.goldenTolerance,
): GoldenCheck {
  let maxDiff = 0;
  let problem: string | null = null;
  for (const [role, want] of Object.entries(golden.outputs)) {
    const values = got[role];
    if (values === undefined || values.length !== want.length) {
      return { ok: false, maxDiff: Infinity, problem: `${role}: expected ${want.length} values, got ${values === undefined ? 'none' : values.length}` };
    }
    const width = want.length / golden.rows;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(values[i]! - want[i]!);
      const diff = Number.isNaN(d) ? Infinity : d;
      if (diff > maxDiff) maxDiff = diff;
      if (diff > tolerance && problem === null) {
        const at = width === 1 ? `row ${i}` : `row ${Math.floor(i / width)}, column ${i % width}`;
        problem = `${role} ${at}: got ${values[i]}, the pipeline computed ${want[i]} (|Δ| > ${tolerance})`;
      }
    }
  }
  return { ok: problem === null, maxDiff, problem };
}

/**
 * Compares a top-k (ids and scores, best first) with the golden one. Scores must agree position
 * by position within `tolerance`; an id may differ only where scores tie within `tolerance` (two
 * runtimes may order near-equal items differently), never otherwise.
 */
export function checkGoldenTopK(
  golden: RetrievalGolden,
  got: { ids: readonly string[]; scores: ArrayLike<number> },
  tolerance: number = RELEASE_CONTRACT_DEFAULTS.goldenTolerance,
): GoldenCheck {
  const k = golden.ids.length;
  if (got.ids.length !== k || got.scores.length !== k) {
    return { ok: false, maxDiff: Infinity, problem: `expected the top ${k}, got ${got.ids.length} ids and ${got.scores.length} scores` };
  }
  const wantScore = new Map(golden.ids.map((id, i) => [id, golden.scores[i]!] as const));
  const last = golden.scores[k - 1]!;
  let maxDiff = 0;
  for (let i = 0; i < k; i++) {
    const d = Math.abs(got.scores[i]! - golden.scores[i]!);
    const diff = Number.isNaN(d) ? Infinity : d;
    maxDiff = Math.max(maxDiff, diff);
    if (diff > tolerance) {
      return { ok: false, maxDiff, problem: `rank ${i}: score ${got.scores[i]}, the pipeline computed ${golden.scores[i]} (|Δ| > ${tolerance})` };
    }
    const id = got.ids[i]!;
    if (id === golden.ids[i]) continue;
    // Another item at this rank: fine only if it ties with the golden one (or with the cut-off).
    const its = wantScore.get(id);
    const tie = its !== undefined ? Math.abs(its - golden.scores[i]!) <= tolerance : Math.abs(got.scores[i]! - last) <= tolerance;
    if (!tie) return { ok: false, maxDiff, problem: `rank ${i}: item "${id}", the pipeline ranked "${golden.ids[i]}" there` };
  }
  const seen = new Set(got.ids);
  if (seen.size !== k) return { ok: false, maxDiff, problem: 'an item appears twice in the top k' };
  return { ok: true, maxDiff, problem: null };
}
