/**
 * Golden vectors for a release: a few real rows of each model's feature tensors with the outputs
 * the pipeline computes for them, and a query with its top ids over the head shard. The device
 * serves from a runtime only once it has reproduced them (workers/ranking, workers/retrieval).
 *
 * The rows are made the way the device makes them, from the release itself: items read back from
 * the encoded shards (shardItemRecord), histories of those items, buildFeatureTensors of
 * src/core at the release's creation time. So they follow whatever feature spec the release
 * has, and nothing here knows a feature by name. The outputs are the exported ONNX models run
 * by onnxruntime in Node (equal to the trainer's within 1e-5, test/unit/pipeline/export-parity.test.ts).
 */
import { USER_INDEX_TENSOR, buildFeatureTensors, tensorLayout, type FeatureRow, type FeatureSpec, type FeatureTensor, type HistoryEntry } from '../../core/features/index.ts';
import { categoryVocab, shardItemRecord, type ShardItemRecord } from '../../core/feed/index.ts';
import type { ModelGolden, RetrievalGolden } from '../../core/release/index.ts';
import { itemVector, scoreShard, type Shard } from '../../core/shard/index.ts';
import { topK } from '../../core/vectors/index.ts';
import { createNodeSession, ortForNode } from '../onnx/index.ts';
import { RELEASE_DEFAULTS } from './defaults.ts';
import { ReleaseInputError } from './errors.ts';
import type { TensorBinding } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface GoldenModel {
  bytes: Uint8Array;
  inputs: readonly TensorBinding[];
  /** Role -> graph output name. */
  outputs: Readonly<Record<string, string | undefined>>;
}

export interface GoldenInput {
  featureSpec: FeatureSpec;
  /** The head shard as written (decoded from its bytes), then some cluster shards. */
  head: Shard;
  clusters: readonly Shard[];
  /** The head artifact's name in the manifest. */
  headName: string;
  /** ms since the epoch: `now` of every row (the release's creation time). */
  now: number;
  ranker: GoldenModel;
  userTower?: GoldenModel | undefined;
}

export interface GoldenVectors {
  ranker: ModelGolden;
  userTower?: ModelGolden;
  retrieval: RetrievalGolden;
}

export async function goldenVectors(o: GoldenInput): Promise<GoldenVectors> {
  const vocab = categoryVocab(o.featureSpec);
  const pool = itemPool(o.head, o.clusters, vocab);
  const users = histories(pool, o.now);
  const layout = tensorLayout(o.featureSpec);
  const featuresOf = (m: GoldenModel) => [...new Set(m.inputs.map((b) => layout.find((t) => t.tensor === b.tensor)?.feature ?? b.tensor))];

  // One user object per history (rows of a user share it, as in a feed), with made-up values for
  // the user fields the spec reads and the shards do not hold (profile fields).
  const people = users.map((history, u) => fillMissing(o.featureSpec, 'user', { history }, u, o.now));
  const rankerRows: FeatureRow[] = Array.from({ length: RELEASE_DEFAULTS.goldenRankerRows }, (_, j) => ({
    user: people[j % people.length]!,
    item: fillMissing(o.featureSpec, 'item', pool[j % pool.length]!, j, o.now),
    context: fillMissing(o.featureSpec, 'context', {}, j, o.now),
  }));
  // A ranker with per-user inputs (it binds USER_INDEX_TENSOR) takes its user features per user.
  const perUser = o.ranker.inputs.some((b) => b.tensor === USER_INDEX_TENSOR);
  const ranker = await modelGolden(o.ranker, buildFeatureTensors(o.featureSpec, rankerRows, { now: o.now, perUser }), 'ranker');
  let userTower: ModelGolden | undefined;
  if (o.userTower) {
    const rows: FeatureRow[] = people.slice(0, RELEASE_DEFAULTS.goldenUserRows).map((user, u) => ({ user, context: fillMissing(o.featureSpec, 'context', {}, u, o.now) }));
    userTower = await modelGolden(o.userTower, buildFeatureTensors(o.featureSpec, rows, { now: o.now, only: featuresOf(o.userTower) }), 'userTower');
  }

  // The query: a real user vector (the longest history's) where there is a user tower.
  const dim = o.head.dim;
  const longest = users.reduce((best, h, i) => (h.length > users[best]!.length ? i : best), 0);
  const query = userTower?.outputs.userVector ? Float32Array.from(userTower.outputs.userVector.slice(longest * dim, (longest + 1) * dim)) : itemVector(o.head, 0);
  const top = topK(scoreShard(query, o.head), Math.min(RELEASE_DEFAULTS.goldenRetrievalK, o.head.count));
  const retrieval: RetrievalGolden = {
    shard: o.headName,
    query: Array.from(query),
    ids: Array.from(top.indices, (i) => String(o.head.id(i))),
    scores: Array.from(top.scores),
  };
  return { ranker, ...(userTower ? { userTower } : {}), retrieval };
}

/**
 * `fields` with a value for every feature of `scope` the spec reads that `fields` lacks: what the
 * device gets from elsewhere (a profile field, the retrieval score of a candidate, the hour), so
 * the golden rows exercise every input of the models, not only its default. Every fourth row
 * (`k % 4 === 3`) keeps them missing, so the defaults are covered too. Deterministic in `k`.
 */
function fillMissing(spec: FeatureSpec, scope: 'user' | 'item' | 'context', fields: Readonly<Record<string, unknown>>, k: number, now: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  if (k % 4 === 3) return out;
  for (const f of spec.features) {
    const [where, field] = f.source.split('.') as [string, string];
    if (where !== scope || out[field] !== undefined) continue;
    switch (f.kind) {
      case 'categorical':
        out[field] = f.vocab ? f.vocab[k % f.vocab.length] : `golden-${k}`;
        break;
      case 'multi-categorical':
        out[field] = f.vocab ? [f.vocab[k % f.vocab.length], f.vocab[(k + 1) % f.vocab.length]] : [`golden-${k}`, `golden-${k + 1}`];
        break;
      case 'numeric':
        out[field] = f.ageDays ? now - (k + 1) * 3 * DAY : f.normalize?.type === 'standardize' ? (f.log1p ? Math.expm1(f.normalize.mean) : f.normalize.mean) + (k - 1) * f.normalize.std * 0.7 : 0.37 * (k + 1);
        break;
      case 'bucketized': {
        const b = f.boundaries[k % f.boundaries.length]! + 0.5;
        out[field] = f.ageDays ? now - b * DAY : f.log1p ? Math.expm1(b) : b;
        break;
      }
      case 'dense':
        out[field] = Array.from({ length: f.dim }, (_, i) => Math.round(Math.sin(k * f.dim + i + 1) * 1000) / 1000);
        break;
      default:
        // History kinds read user.history, which every user here has.
        break;
    }
  }
  return out;
}

/** Up to 8 items: the head's first and last ones, then one from each of the first clusters. */
function itemPool(head: Shard, clusters: readonly Shard[], vocab: readonly string[]): ShardItemRecord[] {
  const out: ShardItemRecord[] = [];
  const seen = new Set<string>();
  const add = (s: Shard, i: number) => {
    if (i < 0 || i >= s.count) return;
    const r = shardItemRecord(s, i, vocab);
    if (seen.has(r.id)) return;
    seen.add(r.id);
    out.push(r);
  };
  for (const i of [0, 1, 2, head.count - 1, head.count >> 1]) add(head, i);
  for (const c of clusters) add(c, c.count >> 1);
  for (let i = 3; out.length < 8 && i < head.count; i++) add(head, i);
  return out;
}

/**
 * Four users: a new one (no history), a short mixed history, a long one (past any history
 * feature's maxLength, with an item no longer in the catalogue) and one weak watch.
 */
function histories(pool: readonly ShardItemRecord[], now: number): HistoryEntry[][] {
  const item = (k: number) => pool[k % pool.length]!;
  const short: HistoryEntry[] = [
    { item: item(2), type: 'click', at: now - 2 * HOUR },
    { item: item(3), type: 'like', at: now - DAY },
    { item: item(5), type: 'watch', at: now - 3 * DAY, watchFraction: 0.8 },
  ];
  const types = ['click', 'watch', 'like', 'impression', 'skip', 'watch', 'hide', 'click'] as const;
  const long: HistoryEntry[] = Array.from({ length: 70 }, (_, k) => ({
    item: k === 5 ? { id: 'gone-from-the-catalogue' } : item(k),
    type: types[k % types.length]!,
    at: now - (k + 1) * 7 * HOUR,
    ...(types[k % types.length] === 'watch' ? { watchFraction: ((k * 37) % 100) / 100 } : {}),
  }));
  const weak: HistoryEntry[] = [{ item: item(1), type: 'watch', at: now - 30 * DAY, watchFraction: 0.05 }];
  return [[], short, long, weak];
}

async function modelGolden(model: GoldenModel, tensors: Record<string, FeatureTensor>, field: string): Promise<ModelGolden> {
  const ort = ortForNode();
  let session: Awaited<ReturnType<typeof createNodeSession>>;
  try {
    session = await createNodeSession(model.bytes);
  } catch (err) {
    throw new ReleaseInputError(`models.${field}.bytes`, `onnxruntime cannot load the model to compute its golden vectors (${err instanceof Error ? err.message : String(err)}); pass golden: false for a release without them`, { cause: err });
  }
  try {
    const inputs: ModelGolden['inputs'] = {};
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    // The rows: the user index's where there is one (per-user tensors have a row per user).
    const rows = (tensors[USER_INDEX_TENSOR] ?? tensors[model.inputs[0]!.tensor])?.dims[0] ?? 0;
    for (const b of model.inputs) {
      const t = tensors[b.tensor];
      if (!t) throw new ReleaseInputError(`models.${field}.inputs`, `"${b.tensor}" is not a tensor of the feature spec`);
      inputs[b.tensor] = { type: t.type, dims: [...t.dims], data: Array.from(t.data) };
      feeds[b.name] = new ort.Tensor(t.type, t.data, t.dims);
    }
    const results = await session.run(feeds);
    const outputs: ModelGolden['outputs'] = {};
    for (const [role, name] of Object.entries(model.outputs)) {
      if (name === undefined) continue;
      const out = results[name];
      if (!out || !(out.data instanceof Float32Array)) throw new ReleaseInputError(`models.${field}.outputs.${role}`, `output "${name}" is not a float32 output of the model`);
      outputs[role as keyof ModelGolden['outputs']] = Array.from(out.data);
    }
    return { rows, inputs, outputs };
  } finally {
    await session.release();
  }
}
