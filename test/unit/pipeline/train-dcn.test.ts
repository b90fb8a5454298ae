import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildFeatureTensors, parseFeatureSpec, type FeatureRow, type FeatureSpec } from '../../../src/core/features/index.ts';
import { auc } from '../../../src/core/metrics/index.ts';
import { disposeDcn, exportDcnWeights, initDcn, predictDcn, selectRows, trainDcn, type DcnParams, type FeatureTensors } from '../../../src/pipeline/train/index.ts';
import { dcnVariables, forwardDcn } from '../../../src/pipeline/train/dcn.ts';
import type { TrainProgress } from '../../../src/pipeline/train/fit.ts';
import { toTfInputs } from '../../../src/pipeline/train/model-inputs.ts';
import { createRandom } from '../../../src/pipeline/train/random.ts';
import { pearson } from '../../support/stats.ts';

const CATS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const NOW = Date.UTC(2024, 5, 1);

const spec: FeatureSpec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'item_id', kind: 'categorical', source: 'item.id', hashBuckets: 97 },
    { name: 'category', kind: 'categorical', source: 'item.category', vocab: CATS },
    { name: 'genres', kind: 'multi-categorical', source: 'item.genres', vocab: ['g0', 'g1', 'g2', 'g3'], maxLength: 2 },
    { name: 'duration', kind: 'numeric', source: 'item.durationSeconds', normalize: { type: 'minmax', min: 0, max: 600 } },
    { name: 'hour', kind: 'bucketized', source: 'context.hour', boundaries: [6, 12, 18] },
    { name: 'fav', kind: 'categorical', source: 'user.fav', vocab: CATS },
    { name: 'history', kind: 'history', source: 'user.history', item: 'item_id', maxLength: 4, pooling: 'mean' },
  ],
});

interface Synthetic {
  inputs: FeatureTensors;
  clicks: Float32Array;
  watch: Float32Array;
}

/**
 * Click iff the item's category is the user's favourite, flipped with probability 5%: an
 * interaction no single feature predicts. Watch fraction of a click falls with duration.
 */
function synthetic(n: number, seed: number): Synthetic {
  const r = createRandom(seed);
  const rows: FeatureRow[] = [];
  const clicks = new Float32Array(n);
  const watch = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const fav = r.int(CATS.length);
    const category = r.next() < 0.3 ? fav : r.int(CATS.length);
    const duration = 30 + r.next() * 570;
    const match = category === fav;
    const clicked = r.next() < 0.05 ? !match : match;
    clicks[i] = clicked ? 1 : 0;
    watch[i] = clicked ? Math.min(1, Math.max(0, 0.95 - 0.8 * (duration / 600) + (r.next() - 0.5) * 0.1)) : NaN;
    rows.push({
      user: {
        fav: CATS[fav],
        history: Array.from({ length: r.int(5) }, (_, k) => ({ item: { id: `v${r.int(300)}` }, type: 'click' as const, at: NOW - k * 3_600_000 })),
      },
      item: { id: `v${r.int(300)}`, category: CATS[category], genres: [`g${r.int(4)}`], durationSeconds: duration },
      context: { hour: r.int(24) },
    });
  }
  return { inputs: buildFeatureTensors(spec, rows, { now: NOW }), clicks, watch };
}


const SMALL = { embeddingDim: 8, deepLayers: [32, 16], crossLayers: 2 } as const;

describe('DCN-V2 ranker', () => {
  let train: Synthetic;
  let test: Synthetic;
  beforeAll(() => {
    train = synthetic(6000, 1);
    test = synthetic(2000, 2);
  });

  it('learns a feature interaction: held-out AUC > 0.85 and far above the untrained model', async () => {
    const model = await initDcn({ spec, ...SMALL }, 7);
    const before = auc(test.clicks, predictDcn(model, test.inputs).click);
    const progress: TrainProgress[] = [];
    const result = await trainDcn(
      model,
      { inputs: train.inputs, clicks: train.clicks, watchFractions: train.watch },
      { epochs: 8, batchSize: 256, seed: 3, onProgress: (p) => progress.push(p) },
    );
    const predicted = predictDcn(model, test.inputs);
    const after = auc(test.clicks, predicted.click);
    console.info(`DCN: AUC ${before.toFixed(3)} -> ${after.toFixed(3)}, ${Math.round(result.examplesPerSecond)} examples/s, losses ${result.epochLosses.map((l) => l.toFixed(3)).join(' ')}`);
    expect(after).toBeGreaterThan(0.85);
    expect(after - before).toBeGreaterThan(0.2);

    // The loss curve falls, and progress reports every step of every epoch.
    expect(result.epochLosses).toHaveLength(8);
    expect(result.epochLosses.at(-1)!).toBeLessThan(result.epochLosses[0]! * 0.8);
    expect(progress).toHaveLength(8 * Math.ceil(6000 / 256));
    expect(progress.at(-1)).toMatchObject({ epoch: 7, epochs: 8, step: 24, steps: 24 });
    expect(progress.at(-1)!.loss).toBeCloseTo(result.epochLosses.at(-1)!, 10);
    // The total is the click log loss plus the (weight 1) watch term, per epoch.
    expect(result.clickLosses).toHaveLength(8);
    result.epochLosses.forEach((total, e) => expect(total).toBeCloseTo(result.clickLosses[e]! + result.watchLosses![e]!, 4));
    expect(result.clickLosses.at(-1)!).toBeLessThan(0.3);

    // Watch head: on clicked held-out rows, predictions track the true watch fraction.
    const clicked = [...test.clicks.keys()].filter((i) => test.clicks[i] === 1);
    const r = pearson(clicked.map((i) => predicted.watch![i]!), clicked.map((i) => test.watch[i]!));
    console.info(`DCN: watch head correlation ${r.toFixed(3)} on ${clicked.length} clicks`);
    expect(r).toBeGreaterThan(0.7);

    // Prediction frees its tensors; batched prediction equals one forward pass over the same rows.
    const tensorsBefore = tf.memory().numTensors;
    predictDcn(model, test.inputs, { batchSize: 300 });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const rows = Uint32Array.from({ length: 50 }, (_, i) => i);
    const direct = tf.tidy(() => forwardDcn(model, toTfInputs(model.layout.inputs, selectRows(model.layout.inputs, test.inputs, rows))).click.dataSync());
    const batched = predictDcn(model, test.inputs, { batchSize: 7 }).click.subarray(0, 50);
    for (let i = 0; i < 50; i++) expect(batched[i]!).toBeCloseTo(direct[i]!, 6);
    disposeDcn(model);
  });

  it('predicts from the tables as they are now: new values assigned after a prediction are read', async () => {
    const model = await initDcn({ spec, ...SMALL }, 5);
    const first = predictDcn(model, test.inputs).click;
    expect(predictDcn(model, test.inputs).click).toEqual(first);
    const twice = (m: DcnParams) => {
      for (const t of m.tables.values()) t.assign(tf.tidy(() => tf.mul(t, 2)));
    };
    twice(model);
    const scaled = predictDcn(model, test.inputs).click;
    expect(scaled).not.toEqual(first);
    // A twin never predicted before the change (nothing read of its old tables) predicts the same.
    const twin = await initDcn({ spec, ...SMALL }, 5);
    twice(twin);
    expect(predictDcn(twin, test.inputs).click).toEqual(scaled);
    disposeDcn(model);
    disposeDcn(twin);
  });

  it('gives the same loss curve, bit for bit, for the same seed', async () => {
    const data = { inputs: train.inputs, clicks: train.clicks, watchFractions: train.watch };
    const run = async (seed: number, shuffleSeed: number): Promise<number[]> => {
      const model = await initDcn({ spec, ...SMALL, crossRank: 4 }, seed);
      const { stepLosses } = await trainDcn(model, data, { epochs: 2, batchSize: 512, seed: shuffleSeed });
      disposeDcn(model);
      return stepLosses;
    };
    const tensorsBefore = tf.memory().numTensors;
    const a = await run(11, 5);
    // Training frees every tensor it makes (the model and the optimizer were disposed).
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const b = await run(11, 5);
    expect(b).toEqual(a);
    expect(await run(12, 5)).not.toEqual(a);
    expect(await run(11, 6)).not.toEqual(a);
  });

  it('trains every table with lazy Adam when told to (lazyTableRows 0): learns as well, first step as dense Adam, deterministic, frees its tensors', async () => {
    const data = { inputs: train.inputs, clicks: train.clicks, watchFractions: train.watch };
    const run = async (lazyTableRows: number) => {
      const model = await initDcn({ spec, ...SMALL }, 7);
      const initial = new Map([...model.tables].map(([f, t]) => [f, Float32Array.from(t.dataSync() as Float32Array)] as const));
      const result = await trainDcn(model, data, { epochs: 8, batchSize: 256, seed: 3, lazyTableRows });
      const heldOut = auc(test.clicks, predictDcn(model, test.inputs).click);
      // The trained tables are in the model's variables (what predicting and export read).
      const moved = [...model.tables].map(([f, t]) => Math.max(...(t.dataSync() as Float32Array).map((v, i) => Math.abs(v - initial.get(f)![i]!))));
      disposeDcn(model);
      return { losses: result.stepLosses, heldOut, moved };
    };
    const tensorsBefore = tf.memory().numTensors;
    const lazy = await run(0);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const dense = await run(1e9);
    console.info(`DCN: held-out AUC lazy Adam ${lazy.heldOut.toFixed(3)}, dense ${dense.heldOut.toFixed(3)}`);
    expect(lazy.heldOut).toBeGreaterThan(0.85);
    expect(Math.abs(lazy.heldOut - dense.heldOut)).toBeLessThan(0.03);
    for (const m of lazy.moved) expect(m).toBeGreaterThan(1e-3);
    // Step 1 is the same update either way (an untouched row's moments are zero, so dense Adam
    // leaves it too); from then on dense Adam also moves rows the batch did not read.
    expect(lazy.losses[0]).toBe(dense.losses[0]);
    expect(lazy.losses[1]).toBeCloseTo(dense.losses[1]!, 5);
    expect(lazy.losses.slice(2)).not.toEqual(dense.losses.slice(2));
    expect((await run(0)).losses).toEqual(lazy.losses);
    const model = await initDcn({ spec, ...SMALL }, 1);
    await expect(trainDcn(model, data, { lazyTableRows: -1 })).rejects.toMatchObject({ name: 'TrainConfigError', field: 'lazyTableRows' });
    disposeDcn(model);
  });

  it('exports every weight, named per layer, with the shapes of the forward pass', async () => {
    const full = await initDcn({ spec, ...SMALL }, 1);
    const w = exportDcnWeights(full);
    const d = full.layout.width;
    // x0 in spec order: item_id 8, category 8, genres 8, duration 1, hour 8, fav 8, history 8.
    expect(w.parts.map((p) => [p.feature, p.kind, p.offset, p.width])).toEqual([
      ['item_id', 'embedding', 0, 8],
      ['category', 'embedding', 8, 8],
      ['genres', 'masked-mean', 16, 8],
      ['duration', 'numeric', 24, 1],
      ['hour', 'embedding', 25, 8],
      ['fav', 'embedding', 33, 8],
      ['history', 'weighted-sum', 41, 8],
    ]);
    expect(d).toBe(49);
    expect(w.x0Width).toBe(49);
    expect(w.inputs.map((i) => i.name)).toEqual(['item_id', 'category', 'genres', 'duration', 'hour', 'fav', 'history:ids', 'history:weights']);
    const shapes = Object.fromEntries(Object.entries(w.weights).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({
      'embedding.item_id': [98, 8],
      'embedding.category': [9, 8],
      'embedding.genres': [5, 8],
      'embedding.hour': [5, 8],
      'embedding.fav': [9, 8],
      'cross.0.W': [49, 49],
      'cross.0.b': [49],
      'cross.1.W': [49, 49],
      'cross.1.b': [49],
      'deep.0.W': [49, 32],
      'deep.0.b': [32],
      'deep.1.W': [32, 16],
      'deep.1.b': [16],
      'head.click.W': [65, 1],
      'head.click.b': [1],
      'head.watch.W': [65, 1],
      'head.watch.b': [1],
    });
    for (const v of Object.values(w.weights)) expect(v.data.length).toBe(v.shape.reduce((a, b) => a * b, 1));
    expect(w.heads).toEqual(['click', 'watch']);

    // Recomputing the documented forward pass from the exported arrays gives the model's output.
    const rows = Uint32Array.from({ length: 20 }, (_, i) => i * 3);
    const batch = selectRows(full.layout.inputs, test.inputs, rows);
    const got = tf.tidy(() => forwardDcn(full, toTfInputs(full.layout.inputs, batch)).click.dataSync());
    const want = referenceClick(w, batch);
    for (let i = 0; i < rows.length; i++) expect(got[i]!).toBeCloseTo(want[i]!, 5);

    const lowRank = await initDcn({ spec, ...SMALL, crossRank: 4, watchHead: false }, 1);
    const lw = exportDcnWeights(lowRank);
    expect(lw.weights['cross.0.V']!.shape).toEqual([49, 4]);
    expect(lw.weights['cross.0.U']!.shape).toEqual([4, 49]);
    expect(lw.weights['cross.0.W']).toBeUndefined();
    expect(lw.weights['head.watch.W']).toBeUndefined();
    expect(lw.heads).toEqual(['click']);
    disposeDcn(full);
    disposeDcn(lowRank);
  });

  it('returns the mean of the weights over the last epoch\'s tail when told to average, lazy tables included', async () => {
    const data = { inputs: train.inputs, clicks: train.clicks, watchFractions: train.watch };
    // 6,000 rows in batches of 1,000: 6 steps an epoch; from 0.5 the tail is steps 4, 5 and 6 of epoch 2.
    const base = { epochs: 2, batchSize: 1000, seed: 5 };
    const weightsOf = (p: DcnParams) => dcnVariables(p).map((v) => Float32Array.from(v.dataSync() as Float32Array));
    const plain = await initDcn({ spec, ...SMALL }, 11);
    const tail: Float32Array[][] = [];
    await trainDcn(plain, data, { ...base, onProgress: (p) => p.epoch === 1 && p.step > 3 && tail.push(weightsOf(plain)) });
    expect(tail).toHaveLength(3);
    const averaged = await initDcn({ spec, ...SMALL }, 11);
    const result = await trainDcn(averaged, data, { ...base, averageFrom: 0.5 });
    expect(result.averagedSteps).toBe(3);
    const got = weightsOf(averaged);
    const last = weightsOf(plain);
    let moved = 0;
    got.forEach((w, k) => {
      for (let i = 0; i < w.length; i++) {
        const mean = (tail[0]![k]![i]! + tail[1]![k]![i]! + tail[2]![k]![i]!) / 3;
        expect(Math.abs(w[i]! - mean)).toBeLessThan(1e-6);
        moved = Math.max(moved, Math.abs(w[i]! - last[k]![i]!));
      }
    });
    // The mean is not the last step's weights: the average did something.
    expect(moved).toBeGreaterThan(1e-4);

    // Lazy Adam holds a table's values outside its variable while training: a tail of only the
    // last step must give the last step's weights exactly, tables included, on both paths.
    for (const lazyTableRows of [65_536, 0]) {
      const a = await initDcn({ spec, ...SMALL }, 11);
      const b = await initDcn({ spec, ...SMALL }, 11);
      await trainDcn(a, data, { ...base, lazyTableRows });
      const r = await trainDcn(b, data, { ...base, lazyTableRows, averageFrom: 5.5 / 6 });
      expect(r.averagedSteps).toBe(1);
      const wa = weightsOf(a);
      weightsOf(b).forEach((w, k) => expect(w).toEqual(wa[k]));
      disposeDcn(a);
      disposeDcn(b);
    }
    await expect(trainDcn(plain, data, { ...base, averageFrom: 1 })).rejects.toMatchObject({ name: 'TrainConfigError', field: 'averageFrom' });
    disposeDcn(plain);
    disposeDcn(averaged);
  });

  it('names the missing input and the bad label', async () => {
    const model = await initDcn({ spec, ...SMALL }, 1);
    const { fav: _drop, ...withoutFav } = train.inputs;
    await expect(trainDcn(model, { inputs: withoutFav, clicks: train.clicks, watchFractions: train.watch })).rejects.toMatchObject({
      name: 'TrainInputError',
      field: 'inputs["fav"]',
    });
    const badClicks = Float32Array.from(train.clicks);
    badClicks[3] = 0.5;
    await expect(trainDcn(model, { inputs: train.inputs, clicks: badClicks, watchFractions: train.watch })).rejects.toMatchObject({
      name: 'TrainInputError',
      field: 'clicks[3]',
    });
    await expect(trainDcn(model, { inputs: train.inputs, clicks: train.clicks })).rejects.toMatchObject({ field: 'watchFractions' });
    await expect(initDcn({ spec, features: ['category', 'nope'] })).rejects.toMatchObject({ name: 'TrainConfigError', field: 'features[1]' });
    disposeDcn(model);
  });
});

/** The forward pass of DcnWeights, written from its documentation in plain JS (float64). */
function referenceClick(w: ReturnType<typeof exportDcnWeights>, inputs: FeatureTensors): Float64Array {
  const n = inputs[w.inputs[0]!.name]!.dims[0];
  const d = w.x0Width;
  const get = (name: string) => w.weights[name]!;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x0 = new Float64Array(d);
    for (const p of w.parts) {
      const row = (table: string, id: number, k: number) => get(`embedding.${table}`).data[id * p.width + k]!;
      if (p.kind === 'embedding') {
        const id = inputs[p.input]!.data[r]!;
        for (let k = 0; k < p.width; k++) x0[p.offset + k] = row(p.table, id, k);
      } else if (p.kind === 'masked-mean') {
        let count = 0;
        for (let l = 0; l < p.length; l++) {
          const id = inputs[p.input]!.data[r * p.length + l]!;
          if (id === 0) continue;
          count++;
          for (let k = 0; k < p.width; k++) x0[p.offset + k]! += row(p.table, id, k);
        }
        for (let k = 0; k < p.width; k++) x0[p.offset + k]! /= Math.max(count, 1);
      } else if (p.kind === 'weighted-sum') {
        for (let l = 0; l < p.length; l++) {
          const id = inputs[p.ids]!.data[r * p.length + l]!;
          const wt = inputs[p.weights]!.data[r * p.length + l]!;
          for (let k = 0; k < p.width; k++) x0[p.offset + k]! += wt * row(p.table, id, k);
        }
      } else {
        for (let k = 0; k < p.width; k++) x0[p.offset + k] = inputs[p.input]!.data[r * p.width + k]!;
      }
    }
    const matVec = (x: Float64Array, m: { shape: number[]; data: Float32Array }): Float64Array => {
      const [rows, cols] = m.shape as [number, number];
      const y = new Float64Array(cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) y[j]! += x[i]! * m.data[i * cols + j]!;
      return y;
    };
    let x = x0;
    for (let l = 0; l < w.crossLayers; l++) {
      const proj = matVec(x, get(`cross.${l}.W`));
      const b = get(`cross.${l}.b`).data;
      x = x.map((xi, i) => x0[i]! * (proj[i]! + b[i]!) + xi);
    }
    let h = x0;
    w.deepLayers.forEach((_, l) => {
      const y = matVec(h, get(`deep.${l}.W`));
      const b = get(`deep.${l}.b`).data;
      h = y.map((v, j) => Math.max(0, v + b[j]!));
    });
    const z = Float64Array.from([...x, ...h]);
    const logit = matVec(z, get('head.click.W'))[0]! + get('head.click.b').data[0]!;
    out[r] = 1 / (1 + Math.exp(-logit));
  }
  return out;
}
