// A release made by `ondeck release` from files our pipeline did not write, as a team training
// in PyTorch would hand them over: ONNX models built here the way torch.onnx.export lays them
// out (opset 17, IR 8, producer "pytorch", Linear layers as Gemm with transB = 1, a "batch"
// dim_param, id inputs int32, inputs named hist_ids / hist_w and bound with --bind), item
// embeddings as a numpy.save .npy (random vectors, no tower of ours made them), an items CSV and
// a feature spec JSON. writeForeignInputs writes the files (unit test); ensureImportedRelease
// packages them once into test/fixtures/imported-release-cache/ (git-ignored) for the browser tests.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { featureCardinality, parseFeatureSpec, type FeatureSpecInput } from '../../src/core/features/index.ts';
import { DataType, encodeModel, type ProtoAttribute, type ProtoNode, type ProtoTensor, type ProtoValueInfo } from '../../src/pipeline/onnx/onnx-proto.ts';
import { encodeNpy, importRelease, type ImportReleaseOptions } from '../../src/pipeline/import/index.ts';
import { TEST_SIGNING_KEY_FILE, ensureSignedBy, testSigningKey } from './release-key.ts';
import { gaussianRows, mulberry32 } from './vector-data.ts';

export const IMPORTED_RELEASE_DIR = resolve('test/fixtures/imported-release-cache');
export const IMPORTED_RELEASE_URL = '/test/fixtures/imported-release-cache/manifest.json';

export const FOREIGN_ITEMS = 300;
export const FOREIGN_DIM = 8;
const EMB = 4;
const VOCAB = ['news', 'music', 'sports', 'comedy'];

export const FOREIGN_SPEC: FeatureSpecInput = {
  version: 1,
  hashSeed: 3,
  features: [
    { name: 'item_id', kind: 'categorical', source: 'item.id', hashBuckets: 1000 },
    { name: 'categories', kind: 'multi-categorical', source: 'item.categories', vocab: VOCAB, maxLength: 2 },
    { name: 'duration', kind: 'numeric', source: 'item.durationSeconds', log1p: true, normalize: { type: 'standardize', mean: 5.5, std: 1.2 }, clip: [-4, 4] },
    { name: 'item_age', kind: 'bucketized', source: 'item.created', ageDays: true, boundaries: [1, 7, 30] },
    { name: 'history', kind: 'history', source: 'user.history', item: 'item_id', maxLength: 8, pooling: 'weighted-mean', weighting: { halfLifeDays: 14, events: { click: 1, watch: 1, like: 2 } } },
  ],
} as FeatureSpecInput;

const cardinality = (name: string) => featureCardinality(parseFeatureSpec(FOREIGN_SPEC).features.find((f) => f.name === name)!);

/** Builds a graph the way an exporter other than ours would; `nodes` use fresh names. */
class ForeignGraph {
  readonly nodes: ProtoNode[] = [];
  readonly initializers: ProtoTensor[] = [];
  readonly inputs: ProtoValueInfo[] = [];
  readonly outputs: ProtoValueInfo[] = [];
  private n = 0;
  constructor(private readonly rand: () => number) {}
  input(name: string, elemType: number, width: number): string {
    this.inputs.push({ name, elemType, dims: ['batch', width] });
    return name;
  }
  weights(name: string, dims: number[], scale = 0.5): string {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, () => (this.rand() * 2 - 1) * scale);
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, raw: new Uint8Array(data.buffer) });
    return name;
  }
  axes(name: string, axis: number): string {
    this.initializers.push({ name, dataType: DataType.INT64, dims: [1], raw: new Uint8Array(BigInt64Array.of(BigInt(axis)).buffer) });
    return name;
  }
  op(opType: string, inputs: string[], attributes: ProtoAttribute[] = [], out?: string): string {
    const output = out ?? `/${opType}_${this.n}_output_0`;
    this.nodes.push({ name: `/${opType}_${this.n++}`, opType, inputs, outputs: [output], attributes });
    return output;
  }
  output(name: string, width: number): void {
    this.outputs.push({ name, elemType: DataType.FLOAT, dims: ['batch', width] });
  }
  bytes(name: string, opset = 17): Uint8Array {
    return encodeModel({
      irVersion: 8,
      opset,
      producerName: 'pytorch',
      producerVersion: '2.3.0',
      docString: '',
      metadata: [],
      graph: { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
    });
  }
  /** Weighted mean of the history's item embeddings, as nn.Embedding + bmm would export it. */
  pooledHistory(table: string): string {
    const ids = this.input('hist_ids', DataType.INT32, 8);
    const w = this.input('hist_w', DataType.FLOAT, 8);
    const g = this.op('Gather', [table, ids]);
    const w3 = this.op('Unsqueeze', [w, this.axes('axes_2', 2)]);
    return this.op('ReduceSum', [this.op('Mul', [g, w3]), 'axes_1'], [{ name: 'keepdims', kind: 'int', value: 0 }]);
  }
}

const linear = (g: ForeignGraph, x: string, name: string, inWidth: number, outWidth: number, extra: ProtoAttribute[] = []): string =>
  g.op('Gemm', [x, g.weights(`${name}.weight`, [outWidth, inWidth]), g.weights(`${name}.bias`, [outWidth], 0.1)], [{ name: 'transB', kind: 'int', value: 1 }, ...extra]);

/** The ranker: embeddings of id, categories (summed), age bucket, history, plus duration -> MLP -> two heads. */
export function foreignRanker(opset = 17): Uint8Array {
  const g = new ForeignGraph(mulberry32(101));
  const ids = g.weights('item_emb.weight', [cardinality('item_id'), EMB]);
  g.axes('axes_1', 1);
  const id = g.op('Gather', [ids, g.op('Squeeze', [g.input('item_id', DataType.INT32, 1), 'axes_1'])]);
  const cats = g.op('ReduceSum', [g.op('Gather', [g.weights('cat_emb.weight', [cardinality('categories'), EMB]), g.input('categories', DataType.INT32, 2)]), 'axes_1'], [{ name: 'keepdims', kind: 'int', value: 0 }]);
  const age = g.op('Gather', [g.weights('age_emb.weight', [cardinality('item_age'), 2]), g.op('Squeeze', [g.input('item_age', DataType.INT32, 1), 'axes_1'])]);
  const duration = g.input('duration', DataType.FLOAT, 1);
  const hist = g.pooledHistory(ids);
  const x = g.op('Concat', [id, cats, age, duration, hist], [{ name: 'axis', kind: 'int', value: 1 }]);
  const h = g.op('Relu', [linear(g, x, 'mlp.0', EMB * 3 + 2 + 1, 16)]);
  g.op('Sigmoid', [linear(g, h, 'click_head', 16, 1)], [], 'p_click');
  g.op('Sigmoid', [linear(g, h, 'watch_head', 16, 1, [{ name: 'alpha', kind: 'float', value: 0.5 }])], [], 'watch_fraction');
  g.output('p_click', 1);
  g.output('watch_fraction', 1);
  return g.bytes('torch_jit', opset);
}

/** The user tower: pooled history -> Linear -> user_embedding [batch, FOREIGN_DIM]. */
export function foreignUserTower(): Uint8Array {
  const g = new ForeignGraph(mulberry32(202));
  g.axes('axes_1', 1);
  const hist = g.pooledHistory(g.weights('item_emb.weight', [cardinality('item_id'), EMB]));
  g.op('Identity', [linear(g, hist, 'proj', EMB, FOREIGN_DIM)], [], 'user_embedding');
  g.output('user_embedding', FOREIGN_DIM);
  return g.bytes('torch_jit');
}

/** Writes the five files into `dir`; returns the importRelease options for them (no out). */
export function writeForeignInputs(dir: string): Omit<ImportReleaseOptions, 'out'> {
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(303);
  const emb = gaussianRows(FOREIGN_ITEMS, FOREIGN_DIM, rand);
  const lines = ['item_id,title,categories,duration_seconds,created,popularity'];
  for (let i = 0; i < FOREIGN_ITEMS; i++) {
    const cats = [VOCAB[i % 4], ...(i % 3 === 0 ? [VOCAB[(i + 1) % 4]] : [])].join('|');
    lines.push(`v${1000 + i},"Video ${i}, imported",${cats},${30 + ((i * 53) % 900)},2025-0${1 + (i % 5)}-1${i % 10}T08:00:00Z,${(i * 7919) % 500}`);
  }
  const files = {
    embeddings: join(dir, 'item_embeddings.npy'),
    items: join(dir, 'items.csv'),
    features: join(dir, 'feature_spec.json'),
    ranker: join(dir, 'ranker.onnx'),
    userTower: join(dir, 'user_tower.onnx'),
  };
  writeFileSync(files.embeddings, encodeNpy(emb, FOREIGN_ITEMS, FOREIGN_DIM));
  writeFileSync(files.items, `${lines.join('\n')}\n`);
  writeFileSync(files.features, JSON.stringify(FOREIGN_SPEC, null, 2));
  writeFileSync(files.ranker, foreignRanker());
  writeFileSync(files.userTower, foreignUserTower());
  return { ...files, bind: { hist_ids: 'history:ids', hist_w: 'history:weights' } };
}

let building: Promise<string> | null = null;

export function ensureImportedRelease(): Promise<string> {
  building ??= build();
  return building;
}

async function build(): Promise<string> {
  if (existsSync(join(IMPORTED_RELEASE_DIR, 'manifest.json'))) {
    await ensureSignedBy(IMPORTED_RELEASE_DIR, testSigningKey());
    return IMPORTED_RELEASE_DIR;
  }
  const work = mkdtempSync(join(tmpdir(), 'ondeck-imported-'));
  const out = join(work, 'release');
  await importRelease({ ...writeForeignInputs(join(work, 'in')), out, signingKey: TEST_SIGNING_KEY_FILE, created: '2025-06-20T12:00:00Z', clusters: 4, seed: 9 });
  if (!existsSync(join(IMPORTED_RELEASE_DIR, 'manifest.json'))) {
    rmSync(IMPORTED_RELEASE_DIR, { recursive: true, force: true });
    try {
      renameSync(out, IMPORTED_RELEASE_DIR);
    } catch (err) {
      if (!existsSync(join(IMPORTED_RELEASE_DIR, 'manifest.json'))) throw err;
    }
  }
  rmSync(work, { recursive: true, force: true });
  return IMPORTED_RELEASE_DIR;
}
