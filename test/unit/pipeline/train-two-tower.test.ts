import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildFeatureTensors, parseFeatureSpec, type FeatureRow, type FeatureSpec, type HistoryEntry } from '../../../src/core/features/index.ts';
import { meanOver, recallAtK } from '../../../src/core/metrics/index.ts';
import { disposeTwoTower, embedUsers, ensureTrainingBackend, exportTwoTowerWeights } from '../../../src/pipeline/train/index.ts';
import { diagonalSoftmaxCrossEntropy, duplicateMask, inBatchLogits, inBatchSoftmaxLoss } from '../../../src/pipeline/train/losses.ts';
import { createRandom } from '../../../src/pipeline/train/random.ts';
import { embedItems, itemLogQ, trainTwoTower } from '../../../src/pipeline/train/two-tower-train.ts';
import { initTwoTower } from '../../../src/pipeline/train/two-tower.ts';

beforeAll(async () => {
  await ensureTrainingBackend();
});

describe('in-batch softmax with log-Q correction', () => {
  // u = [[1, 0], [0, 1]], v = [[1, 0], [0.6, 0.8]], τ = 0.5: u·vᵀ/τ = [[2, 1.2], [0, 1.6]].
  // q = [1/2, 1/4]: logits_ij = u_i·v_j/τ - log q_j = [[2 + ln 2, 1.2 + ln 4], [ln 2, 1.6 + ln 4]].
  // Row i's loss is log(1 + e^(logit_ij - logit_ii)) with j the other column:
  //   row 0: 1.2 + ln 4 - 2 - ln 2 = ln 2 - 0.8;  row 1: ln 2 - 1.6 - ln 4 = -1.6 - ln 2.
  const u = () => tf.tensor2d([[1, 0], [0, 1]]);
  const v = () => tf.tensor2d([[1, 0], [0.6, 0.8]]);
  const logQ = () => tf.tensor1d([Math.log(0.5), Math.log(0.25)]);

  it('subtracts log q_j from column j, as computed by hand', () => {
    const logits = tf.tidy(() => inBatchLogits(u(), v(), { temperature: 0.5, logQ: logQ(), mask: null }).arraySync());
    expect(logits[0]![0]).toBeCloseTo(2 + Math.LN2, 5);
    expect(logits[0]![1]).toBeCloseTo(1.2 + 2 * Math.LN2, 5);
    expect(logits[1]![0]).toBeCloseTo(Math.LN2, 5);
    expect(logits[1]![1]).toBeCloseTo(1.6 + 2 * Math.LN2, 5);

    const corrected = tf.tidy(() => inBatchSoftmaxLoss(u(), v(), { temperature: 0.5, logQ: logQ(), mask: null }).dataSync()[0]!);
    expect(corrected).toBeCloseTo((Math.log(1 + 2 * Math.exp(-0.8)) + Math.log(1 + Math.exp(-1.6) / 2)) / 2, 5);
    const plain = tf.tidy(() => inBatchSoftmaxLoss(u(), v(), { temperature: 0.5, logQ: null, mask: null }).dataSync()[0]!);
    expect(plain).toBeCloseTo((Math.log(1 + Math.exp(-0.8)) + Math.log(1 + Math.exp(-1.6))) / 2, 5);
    // The popular item 0 (q = 1/2) is penalised less as row 1's negative than item 1 is as row 0's.
    expect(corrected).toBeGreaterThan(plain);
  });

  it('masks in-batch duplicates so an item is not its own negative', () => {
    // Rows 0 and 2 have the same positive item (key 5): each is masked out of the other's row.
    const keys = [5, 7, 5];
    expect(Array.from(duplicateMask(keys, -1e9)!)).toEqual([0, 0, -1e9, 0, 0, 0, -1e9, 0, 0]);
    expect(duplicateMask([1, 2, 3], -1e9)).toBeNull();
    const uu = [[1, 0], [0, 1], [0.8, 0.6]];
    const vv = [[0.6, 0.8], [0, 1], [0.6, 0.8]];
    const loss = tf.tidy(() =>
      inBatchSoftmaxLoss(tf.tensor2d(uu), tf.tensor2d(vv), { temperature: 1, logQ: null, mask: tf.tensor2d(duplicateMask(keys, -1e9)!, [3, 3]) }).dataSync()[0]!,
    );
    const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]!;
    const rowLoss = (i: number, cols: number[]) => Math.log(cols.reduce((s, j) => s + Math.exp(dot(uu[i]!, vv[j]!)), 0)) - dot(uu[i]!, vv[i]!);
    expect(loss).toBeCloseTo((rowLoss(0, [0, 1]) + rowLoss(1, [0, 1, 2]) + rowLoss(2, [1, 2])) / 3, 5);
  });

  it('has the gradient (softmax - I) / B, matching finite differences', () => {
    const x = [0.3, -1.2, 2, 0.5, 0.1, -0.4, 1.5, -2, 0.9];
    const g = tf.tidy(() => tf.grad((l: tf.Tensor) => diagonalSoftmaxCrossEntropy(l as tf.Tensor2D))(tf.tensor2d(x, [3, 3])).dataSync());
    const f = (xs: number[]) => tf.tidy(() => diagonalSoftmaxCrossEntropy(tf.tensor2d(xs, [3, 3])).dataSync()[0]!);
    for (let i = 0; i < 9; i++) {
      const plus = [...x];
      const minus = [...x];
      plus[i]! += 1e-2;
      minus[i]! -= 1e-2;
      expect(g[i]!).toBeCloseTo((f(plus) - f(minus)) / 2e-2, 3);
    }
  });

  it('computes log q from positive counts', () => {
    const q = itemLogQ([0, 2, 1, 1]);
    expect(q[1]).toBeCloseTo(Math.log(2 / 4), 6);
    expect(q[2]).toBeCloseTo(Math.log(1 / 4), 6);
    expect(q[0]).toBeCloseTo(Math.log(0.5 / 4), 6); // unseen: half a count, finite
  });
});

const GROUPS = 8;
const PER_GROUP = 25;
const ITEMS = GROUPS * PER_GROUP;
const NOW = Date.UTC(2024, 5, 1);
const HOUR = 3_600_000;

const spec: FeatureSpec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'item_id', kind: 'categorical', source: 'item.id', vocab: Array.from({ length: ITEMS }, (_, i) => `v${i}`) },
    { name: 'category', kind: 'categorical', source: 'item.category', vocab: Array.from({ length: GROUPS }, (_, g) => `g${g}`) },
    { name: 'duration', kind: 'numeric', source: 'item.durationSeconds', normalize: { type: 'minmax', min: 0, max: 600 } },
    { name: 'history', kind: 'history', source: 'user.history', item: 'item_id', maxLength: 8, pooling: 'mean' },
  ],
});

interface World {
  items: Array<{ id: string; category: string; durationSeconds: number }>;
  /** Per user: training positives (oldest first) and held-out positives. */
  users: Array<{ train: number[]; test: number[] }>;
}

/**
 * Items in 8 groups with Zipf popularity; each user watches items of one or two favourite
 * groups, picked by popularity. The first 8 positives train, the next 4 are held out.
 */
function world(userCount: number, seed: number): World {
  const r = createRandom(seed);
  const items = Array.from({ length: ITEMS }, (_, i) => ({ id: `v${i}`, category: `g${i % GROUPS}`, durationSeconds: 30 + r.next() * 570 }));
  const weight = Array.from({ length: ITEMS }, (_, i) => 1 / (1 + Math.floor(i / GROUPS)) ** 0.8);
  const users = Array.from({ length: userCount }, () => {
    const groups = r.next() < 0.5 ? [r.int(GROUPS)] : [r.int(GROUPS), r.int(GROUPS)];
    const pool = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => groups.includes(i % GROUPS));
    const picked: number[] = [];
    while (picked.length < 12) {
      const total = pool.reduce((s, i) => s + (picked.includes(i) ? 0 : weight[i]!), 0);
      let x = r.next() * total;
      for (const i of pool) {
        if (picked.includes(i)) continue;
        x -= weight[i]!;
        if (x <= 0) {
          picked.push(i);
          break;
        }
      }
    }
    return { train: picked.slice(0, 8), test: picked.slice(8) };
  });
  return { items, users };
}

function historyOf(w: World, items: number[]): HistoryEntry[] {
  return items.map((i, k) => ({ item: { id: w.items[i]!.id }, type: 'click' as const, at: NOW - (items.length - k) * HOUR }));
}

describe('two-tower retrieval', () => {
  it('beats popularity on held-out positives (recall@10, exhaustive dot product)', async () => {
    const w = world(1000, 21);
    // One row per training positive after the first: the history before it, and the item.
    const rows: FeatureRow[] = [];
    for (const u of w.users) {
      for (let k = 1; k < u.train.length; k++) rows.push({ user: { history: historyOf(w, u.train.slice(0, k)) }, item: w.items[u.train[k]!]! });
    }
    const inputs = buildFeatureTensors(spec, rows, { now: NOW });
    const model = await initTwoTower({ spec, userFeatures: ['history'], itemFeatures: ['item_id', 'category', 'duration'] }, 3);
    expect(model.config.itemIdFeature).toBe('item_id');
    const result = await trainTwoTower(model, { inputs }, { epochs: 6, batchSize: 256, seed: 1 });
    console.info(`two-tower: ${Math.round(result.examplesPerSecond)} examples/s, losses ${result.epochLosses.map((l) => l.toFixed(3)).join(' ')}`);
    expect(result.epochLosses.at(-1)!).toBeLessThan(result.epochLosses[0]!);

    const d = model.config.outputDim;
    const itemVectors = embedItems(model, buildFeatureTensors(spec, w.items.map((item) => ({ item })), { now: NOW }));
    const userVectors = embedUsers(model, buildFeatureTensors(spec, w.users.map((u) => ({ user: { history: historyOf(w, u.train) } })), { now: NOW }));
    for (let i = 0; i < ITEMS; i++) {
      let norm = 0;
      for (let k = 0; k < d; k++) norm += itemVectors[i * d + k]! ** 2;
      expect(norm).toBeCloseTo(1, 4);
    }

    const counts = new Float64Array(ITEMS);
    for (const u of w.users) for (const i of u.train) counts[i]! += 1;
    const byPopularity = Array.from({ length: ITEMS }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
    const recallModel: number[] = [];
    const recallPopular: number[] = [];
    w.users.forEach((u, ui) => {
      const seen = new Set(u.train);
      const scores = Array.from({ length: ITEMS }, (_, i) => {
        let s = 0;
        for (let k = 0; k < d; k++) s += userVectors[ui * d + k]! * itemVectors[i * d + k]!;
        return s;
      });
      const ranked = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => !seen.has(i)).sort((a, b) => scores[b]! - scores[a]! || a - b);
      const relevant = new Set(u.test);
      recallModel.push(recallAtK(ranked, relevant, 10));
      recallPopular.push(recallAtK(byPopularity.filter((i) => !seen.has(i)), relevant, 10));
    });
    const model10 = meanOver(recallModel).mean;
    const popular10 = meanOver(recallPopular).mean;
    console.info(`two-tower: recall@10 ${model10.toFixed(3)} vs popularity ${popular10.toFixed(3)}`);
    expect(model10).toBeGreaterThan(popular10 + 0.2);
    expect(model10).toBeGreaterThan(2 * popular10);
    disposeTwoTower(model);
  });

  it('exports shared tables and per-layer tower weights', async () => {
    const model = await initTwoTower({ spec, userFeatures: ['history'], itemFeatures: ['item_id', 'category', 'duration'], userLayers: [16], itemLayers: [], outputDim: 8, embeddingDim: 4 }, 1);
    const w = exportTwoTowerWeights(model);
    const shapes = Object.fromEntries(Object.entries(w.weights).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'embedding.item_id': [ITEMS + 1, 4],
      'embedding.category': [GROUPS + 1, 4],
      'user.0.W': [4, 16],
      'user.0.b': [16],
      'user.1.W': [16, 8],
      'user.1.b': [8],
      'item.0.W': [9, 8],
      'item.0.b': [8],
    });
    expect(w.userParts).toEqual([{ kind: 'weighted-sum', feature: 'history', offset: 0, width: 4, ids: 'history:ids', weights: 'history:weights', table: 'item_id', length: 8 }]);
    expect(w.itemParts.map((p) => [p.feature, p.kind, p.offset, p.width])).toEqual([
      ['item_id', 'embedding', 0, 4],
      ['category', 'embedding', 4, 4],
      ['duration', 'numeric', 8, 1],
    ]);
    expect(w.userInputs).toEqual(['history:ids', 'history:weights']);
    expect(w.itemInputs).toEqual(['item_id', 'category', 'duration']);
    expect(w).toMatchObject({ format: 'ondeck-two-tower', version: 1, userLayers: [16, 8], itemLayers: [8], outputDim: 8, temperature: 0.05, normEpsilon: 1e-12 });
    disposeTwoTower(model);
  });

  it('gives the same loss curve for the same seed', async () => {
    const w = world(200, 5);
    const rows: FeatureRow[] = w.users.flatMap((u) => u.train.slice(1).map((item, k) => ({ user: { history: historyOf(w, u.train.slice(0, k + 1)) }, item: w.items[item]! })));
    const inputs = buildFeatureTensors(spec, rows, { now: NOW });
    const run = async () => {
      const model = await initTwoTower({ spec, userFeatures: ['history'], itemFeatures: ['item_id', 'category'] }, 9);
      const { stepLosses } = await trainTwoTower(model, { inputs }, { epochs: 2, batchSize: 128, seed: 4 });
      disposeTwoTower(model);
      return stepLosses;
    };
    const tensorsBefore = tf.memory().numTensors;
    const a = await run();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(await run()).toEqual(a);
  });

  it('names a bad config', async () => {
    await expect(initTwoTower({ spec, itemFeatures: ['category'], itemIdFeature: 'item_id' })).rejects.toMatchObject({
      name: 'TrainConfigError',
      field: 'itemIdFeature',
    });
    await expect(initTwoTower({ spec, temperature: 0 })).rejects.toMatchObject({ field: 'temperature' });
  });
});
