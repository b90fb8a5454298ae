import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import specJson from '../../fixtures/feature-spec.json' with { type: 'json' };
import {
  USER_INDEX_TENSOR,
  buildFeatureTensors,
  userTensors,
  parseFeatureSpec,
  tensorLayout,
  type FeatureRow,
  type FeatureTensor,
  type HistoryEntry,
} from '../../../src/core/features/index.ts';
import { EVENT_TYPES } from '../../../src/core/events.ts';
import { exportRankerOnnx, exportUserTowerOnnx } from '../../../src/pipeline/export/index.ts';
import type { InputBinding } from '../../../src/pipeline/export/input-names.ts';
import { exportItemTowerOnnx } from '../../../src/pipeline/export/tower.ts';
import { unitRows } from '../../../src/pipeline/export/unit-rows.ts';
import { OnnxGraph, createNodeSession, ortForNode } from '../../../src/pipeline/onnx/index.ts';
import { disposeDcn, disposeTwoTower, embedUsers, ensureTrainingBackend, exportDcnWeights, exportTwoTowerWeights, initDcn, predictDcn, trainDcn, type FeatureTensors } from '../../../src/pipeline/train/index.ts';
import type { DcnConfigInput } from '../../../src/pipeline/train/dcn.ts';
import { createRandom, type Random } from '../../../src/pipeline/train/random.ts';
import { embedItems, trainTwoTower } from '../../../src/pipeline/train/two-tower-train.ts';
import { initTwoTower, l2Normalize } from '../../../src/pipeline/train/two-tower.ts';

// Trained models exported to ONNX must give, under onnxruntime-web (wasm, as on the device),
// the numbers TensorFlow.js gives for the same rows, up to float32 rounding.

const ort = ortForNode();
type Session = Awaited<ReturnType<typeof createNodeSession>>;
type OrtTensor = InstanceType<typeof ort.Tensor>;

const spec = parseFeatureSpec(specJson);
const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const TOL = 1e-5;
const CATEGORIES = ['news', 'music', 'sports', 'comedy', 'gaming'];
const GENRES = ['action', 'drama', 'comedy', 'thriller'];

// ---------- generated rows: every part kind, missing values, histories of varying length ---------

const maybe = (r: Random, p: number) => r.next() < p;

function history(r: Random): HistoryEntry[] {
  // Up to 12 entries: longer than maxLength 8, so truncation and padding both occur.
  return Array.from({ length: r.int(13) }, () => ({
    item: maybe(r, 0.95) ? { id: `v-${r.int(400)}` } : {},
    type: EVENT_TYPES[r.int(EVENT_TYPES.length)]!,
    at: NOW - r.next() * 40 * DAY,
    ...(maybe(r, 0.6) ? { watchFraction: r.next() } : {}),
  }));
}

function item(r: Random): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (maybe(r, 0.95)) out.id = `v-${r.int(400)}`;
  if (maybe(r, 0.9)) out.category = maybe(r, 0.9) ? CATEGORIES[r.int(CATEGORIES.length)] : 'podcasts';
  if (maybe(r, 0.9)) out.genres = Array.from({ length: r.int(5) }, () => (maybe(r, 0.9) ? GENRES[r.int(GENRES.length)] : 'polka'));
  if (maybe(r, 0.9)) out.durationSeconds = 10 + r.next() * 3000;
  if (maybe(r, 0.9)) out.ageDays = r.next() * 400;
  if (maybe(r, 0.9)) out.impressions = r.int(100_000);
  if (maybe(r, 0.9)) out.created = NOW - r.next() * 60 * DAY;
  return out;
}

interface Data {
  rows: FeatureRow[];
  inputs: FeatureTensors;
  clicks: Float32Array;
  watch: Float32Array;
}

/** `n` rows over 150 users (a user's history array is shared by its rows, as in a feed). */
function rows(n: number, seed: number): Data {
  const r = createRandom(seed);
  const users = Array.from({ length: 150 }, () => ({
    ...(maybe(r, 0.85) ? { vector: Array.from({ length: 4 }, () => 2 * r.next() - 1) } : {}),
    ...(maybe(r, 0.9) ? { history: history(r) } : {}),
  }));
  const out: FeatureRow[] = [];
  const clicks = new Float32Array(n);
  const watch = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out.push({ user: users[r.int(users.length)]!, item: item(r), context: maybe(r, 0.9) ? { hour: r.int(24) } : {} });
    clicks[i] = maybe(r, 0.3) ? 1 : 0;
    watch[i] = clicks[i] === 1 ? r.next() : NaN;
  }
  return { rows: out, inputs: buildFeatureTensors(spec, out, { now: NOW }), clicks, watch };
}

// ---------- running an exported model --------------------------------------------------------------

function toOrt(t: FeatureTensor): OrtTensor {
  return t.data instanceof Int32Array ? new ort.Tensor('int32', t.data, t.dims) : new ort.Tensor('float32', t.data, t.dims);
}

function feeds(bindings: readonly InputBinding[], inputs: FeatureTensors): Record<string, OrtTensor> {
  return Object.fromEntries(bindings.map((b) => [b.name, toOrt(inputs[b.tensor]!)] as const));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** How often `needle` occurs in `hay`: a table stored once appears once. */
function occurrences(hay: Uint8Array, needle: Uint8Array): number {
  const h = Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
  let count = 0;
  for (let at = h.indexOf(needle); at >= 0; at = h.indexOf(needle, at + 1)) count++;
  return count;
}

const asBytes = (f: Float32Array) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);

/** The bindings name existing feature tensors and cover exactly the session's inputs. */
function checkBindings(bindings: readonly InputBinding[], session: Session, expectedTensors: readonly string[]): void {
  const layout = new Set(tensorLayout(spec).map((t) => t.tensor));
  for (const b of bindings) expect(layout.has(b.tensor), b.tensor).toBe(true);
  expect(bindings.map((b) => b.tensor)).toEqual(expectedTensors);
  expect([...session.inputNames].sort()).toEqual(bindings.map((b) => b.name).sort());
  for (const b of bindings) expect(b.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
}

const report: string[] = [];
let train: Data;
let test: Data;

beforeAll(async () => {
  await ensureTrainingBackend();
  train = rows(2000, 1);
  test = rows(1000, 2);
});
afterAll(() => console.log(report.join('\n')));

// ---------- the ranker --------------------------------------------------------------------------

describe('exportRankerOnnx', () => {
  const variants: Array<[string, Partial<DcnConfigInput>]> = [
    ['full-rank cross, watch head', { crossRank: 0, watchHead: true }],
    ['low-rank cross, watch head', { crossRank: 4, watchHead: true }],
    ['low-rank cross, click only, no deep layers', { crossRank: 3, watchHead: false, deepLayers: [] }],
  ];

  it.each(variants)('%s: ORT output equals predictDcn within 1e-5 on 1,000 rows', async (label, config) => {
    const model = await initDcn({ spec, deepLayers: [64, 32], ...config }, 5);
    const watchHead = config.watchHead === true;
    await trainDcn(
      model,
      { inputs: train.inputs, clicks: train.clicks, ...(watchHead ? { watchFractions: train.watch } : {}) },
      { epochs: 1, batchSize: 256, seed: 9 },
    );
    const weights = exportDcnWeights(model);
    // Trained, not initial: the head biases start at 0.
    expect(weights.weights['head.click.b']!.data[0]).not.toBe(0);

    const exported = exportRankerOnnx(weights);
    expect(exported.outputs).toEqual(watchHead ? { pClick: 'p_click', watchFraction: 'watch_fraction' } : { pClick: 'p_click' });
    const session = await createNodeSession(exported.bytes);
    try {
      checkBindings(exported.inputs, session, weights.inputs.map((i) => i.name));
      expect(exported.inputs).toContainEqual({ name: 'history__ids', tensor: 'history:ids' });
      expect(exported.inputs).toContainEqual({ name: 'history__weights', tensor: 'history:weights' });
      expect([...session.outputNames]).toEqual(watchHead ? ['p_click', 'watch_fraction'] : ['p_click']);

      const want = predictDcn(model, test.inputs);
      const got = await session.run(feeds(exported.inputs, test.inputs));
      expect(got.p_click!.dims).toEqual([1000, 1]);
      const clickDiff = maxAbsDiff(got.p_click!.data as Float32Array, want.click);
      expect(clickDiff).toBeLessThanOrEqual(TOL);
      let line = `ranker (${label}): ${exported.bytes.length} bytes; max |Δ| p_click ${clickDiff.toExponential(2)}`;
      if (watchHead) {
        const watchDiff = maxAbsDiff(got.watch_fraction!.data as Float32Array, want.watch!);
        expect(watchDiff).toBeLessThanOrEqual(TOL);
        line += `, watch_fraction ${watchDiff.toExponential(2)}`;
      }
      report.push(line);

      // The item id table feeds both item_id and the history, and is stored once.
      const table = weights.weights['embedding.item_id']!.data;
      expect(occurrences(exported.bytes, asBytes(table.subarray(0, 64)))).toBe(1);
      expect(occurrences(exported.bytes, asBytes(table.subarray(table.length - 64)))).toBe(1);

      // Self-described: producer, and the weights format in the doc string and metadata.
      const text = Buffer.from(exported.bytes).toString('latin1');
      expect(text).toContain('ondeck');
      expect(text).toContain('weights format ondeck-dcn-v2 version 1');
      expect(text).toContain('ondeck.format_version');

      // A missing input is ORT's error, not a silent zero.
      const partial = feeds(exported.inputs, test.inputs);
      delete partial.history__ids;
      await expect(session.run(partial)).rejects.toThrow(/history__ids/);
    } finally {
      await session.release();
      disposeDcn(model);
    }
  });

  it.each([0, 4])('with per-user inputs (cross rank %i): one row per user, the first layers\' user share once per user, gives predictDcn\'s numbers', async (crossRank) => {
    const model = await initDcn({ spec, deepLayers: [64, 32], crossRank, watchHead: true }, 5);
    await trainDcn(model, { inputs: train.inputs, clicks: train.clicks, watchFractions: train.watch }, { epochs: 1, batchSize: 256, seed: 9 });
    const weights = exportDcnWeights(model);
    const perUser = userTensors(spec);
    expect([...perUser].sort()).toEqual(['genre_share', 'history:ids', 'history:weights', 'user_vector']);
    const exported = exportRankerOnnx(weights, { perUser });
    const session = await createNodeSession(exported.bytes);
    try {
      expect(exported.inputs.at(-1)).toEqual({ name: 'user__index', tensor: USER_INDEX_TENSOR });
      const shapes = Object.fromEntries(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.shape : null]));
      expect(shapes['history__ids']).toEqual(['U', 8]);
      expect(shapes['user__index']).toEqual(['N', 1]);
      expect(shapes['duration']).toEqual(['N', 1]);

      // 1,000 rows of 150 users: the user tensors have one row per user that occurs.
      const tensors = buildFeatureTensors(spec, test.rows, { now: NOW, perUser: true });
      const users = new Set(test.rows.map((r) => r.user)).size;
      expect(tensors['history:ids']!.dims).toEqual([users, 8]);
      expect(tensors[USER_INDEX_TENSOR]!.dims).toEqual([1000, 1]);
      const want = predictDcn(model, test.inputs);
      const got = await session.run(feeds(exported.inputs, tensors));
      expect(got.p_click!.dims).toEqual([1000, 1]);
      const clickDiff = maxAbsDiff(got.p_click!.data as Float32Array, want.click);
      const watchDiff = maxAbsDiff(got.watch_fraction!.data as Float32Array, want.watch!);
      expect(clickDiff).toBeLessThanOrEqual(TOL);
      expect(watchDiff).toBeLessThanOrEqual(TOL);
      // The first cross layer and the first deep layer split their product: per row and per user.
      const text = Buffer.from(exported.bytes).toString('latin1');
      expect(text).toContain(crossRank === 0 ? 'cross_0/W/W_users' : 'cross_0/V/W_users');
      expect(text).toContain('deep_0/W_users');
      report.push(`ranker with per-user inputs, cross rank ${crossRank} (${users} users, 1,000 rows): max |Δ| p_click ${clickDiff.toExponential(2)}, watch_fraction ${watchDiff.toExponential(2)}`);
    } finally {
      await session.release();
      disposeDcn(model);
    }
  });

  it('names the weight that is missing or of the wrong shape', async () => {
    const model = await initDcn({ spec, embeddingDim: 4, deepLayers: [8], crossLayers: 1 }, 1);
    const weights = exportDcnWeights(model);
    disposeDcn(model);
    const { ['cross.0.W']: _dropped, ...rest } = weights.weights;
    expect(() => exportRankerOnnx({ ...weights, weights: rest })).toThrow(expect.objectContaining({ name: 'OnnxExportError', field: 'weights["cross.0.W"]' }));
    const bad = { ...weights.weights, 'deep.0.W': { shape: [3, 8], data: new Float32Array(24) } };
    expect(() => exportRankerOnnx({ ...weights, weights: bad })).toThrow(expect.objectContaining({ name: 'OnnxExportError', field: 'weights["deep.0.W"]' }));
    const shifted = weights.parts.map((p, i) => (i === 2 ? { ...p, offset: p.offset + 1 } : p));
    expect(() => exportRankerOnnx({ ...weights, parts: shifted })).toThrow(expect.objectContaining({ field: 'parts[2].offset' }));
  });
});

// ---------- the towers --------------------------------------------------------------------------

describe('exportUserTowerOnnx / exportItemTowerOnnx', () => {
  it('ORT vectors equal embedUsers / embedItems within 1e-5 per component on 1,000 rows', async () => {
    const model = await initTwoTower({ spec, embeddingDim: 16, userLayers: [64], itemLayers: [64], outputDim: 32 }, 3);
    await trainTwoTower(model, { inputs: train.inputs }, { epochs: 1, batchSize: 256, seed: 4 });
    const weights = exportTwoTowerWeights(model);
    expect(weights.weights['user.1.b']!.data.some((v) => v !== 0)).toBe(true);

    const user = exportUserTowerOnnx(weights);
    const item = exportItemTowerOnnx(weights);
    expect(user.outputs).toEqual({ userVector: 'user_vector' });
    expect(item.outputs).toEqual({ itemVector: 'item_vector' });
    // The spec's dense input feature is also called user_vector: the input gives way.
    expect(user.inputs).toContainEqual({ name: 'user_vector_input', tensor: 'user_vector' });

    const [userSession, itemSession] = await Promise.all([createNodeSession(user.bytes), createNodeSession(item.bytes)]);
    try {
      checkBindings(user.inputs, userSession, weights.userInputs);
      checkBindings(item.inputs, itemSession, weights.itemInputs);
      const gotUser = (await userSession.run(feeds(user.inputs, test.inputs))).user_vector!;
      const gotItem = (await itemSession.run(feeds(item.inputs, test.inputs))).item_vector!;
      expect(gotUser.dims).toEqual([1000, 32]);
      const userDiff = maxAbsDiff(gotUser.data as Float32Array, embedUsers(model, test.inputs));
      const itemDiff = maxAbsDiff(gotItem.data as Float32Array, embedItems(model, test.inputs));
      expect(userDiff).toBeLessThanOrEqual(TOL);
      expect(itemDiff).toBeLessThanOrEqual(TOL);
      report.push(`user tower: ${user.bytes.length} bytes; max |Δ| user_vector ${userDiff.toExponential(2)}`);
      report.push(`item tower: ${item.bytes.length} bytes; max |Δ| item_vector ${itemDiff.toExponential(2)}`);

      // Each file holds only the tables its tower reads: the user tower has the item id table
      // (for the history) but not the category table, which only the item tower reads.
      const category = asBytes(weights.weights['embedding.category']!.data);
      const itemIds = asBytes(weights.weights['embedding.item_id']!.data.subarray(0, 64));
      expect(occurrences(user.bytes, itemIds)).toBe(1);
      expect(occurrences(user.bytes, category)).toBe(0);
      expect(occurrences(item.bytes, category)).toBe(1);
    } finally {
      await Promise.all([userSession.release(), itemSession.release()]);
      disposeTwoTower(model);
    }
  });

  it('unitRows floors the squared norm as tfjs does, unlike a floor on the norm', async () => {
    // Row 0 is zero, row 1 has Σy² = 1e-14 below eps = 1e-12 (tfjs: y·1e6, not y / ||y||).
    const y = Float32Array.from([0, 0, 0, 1e-7, 0, 0, 3, -4, 12, 0.5, 0.25, -1]);
    const g = new OnnxGraph('unit_rows');
    g.output('u', 'float32', ['N', 3], unitRows(g, g.input('y', 'float32', ['N', 3]), 1e-12));
    const session = await createNodeSession(g.toBytes({ opset: 13 }));
    try {
      const got = (await session.run({ y: new ort.Tensor('float32', y, [4, 3]) })).u!.data as Float32Array;
      const want = tf.tidy(() => l2Normalize(tf.tensor2d(y, [4, 3])).dataSync());
      expect(maxAbsDiff(got, want)).toBeLessThanOrEqual(1e-7);
      expect(Array.from(got.subarray(0, 3))).toEqual([0, 0, 0]);
      expect(got[3]).toBeCloseTo(0.1, 6);
      expect(got[6]).toBeCloseTo(3 / 13, 6);
    } finally {
      await session.release();
    }
  });
});
