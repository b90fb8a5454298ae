// `ondeck release` (issue 17, point 3): a release from an ONNX ranker and user tower our exporter
// did not write (opset 17, Gemm with transB = 1, inputs bound by --bind) and item embeddings from
// a .npy. The release is signed, verified, carries golden vectors, and the plain-JS runtime
// reproduces them; each broken input fails naming the file and the field.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkGoldenOutputs, goldenTensors, parseManifest } from '../../../src/core/release/index.ts';
import { decodeShard, itemVector } from '../../../src/core/shard/index.ts';
import { main } from '../../../src/cli/main.ts';
import { DataType, encodeModel, type ProtoModel } from '../../../src/pipeline/onnx/onnx-proto.ts';
import { checkModelContract, encodeNpy, importRelease, parseReleaseArgs, readNpy, type ImportReleaseOptions } from '../../../src/pipeline/import/index.ts';
import { parseFeatureSpec } from '../../../src/core/features/index.ts';
import { verifyManifestSignature } from '../../../src/pipeline/release/index.ts';
import { createJsSession } from '../../../workers/ranking/js/index.ts';
import { FOREIGN_DIM, FOREIGN_ITEMS, FOREIGN_SPEC, foreignRanker, writeForeignInputs } from '../../support/imported-release.ts';
import { TEST_SIGNING_KEY_FILE, testSigningKey } from '../../support/release-key.ts';

const work = mkdtempSync(join(tmpdir(), 'ondeck-import-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const inputs = writeForeignInputs(join(work, 'in'));
const base = (out: string): ImportReleaseOptions => ({ ...inputs, out: join(work, out), signingKey: TEST_SIGNING_KEY_FILE, created: '2025-06-20T12:00:00Z', seed: 9, clusters: 4 });
const spec = parseFeatureSpec(FOREIGN_SPEC);

describe('ondeck release', () => {
  it('packages a foreign ranker, user tower and .npy embeddings into a signed, verified release', async () => {
    const r = await importRelease(base('ok'));
    const m = parseManifest(JSON.parse(readFileSync(join(work, 'ok', 'manifest.json'), 'utf8')));
    expect(r.verified.items).toBe(FOREIGN_ITEMS);
    expect(r.verified.clusters).toBe(4);
    expect(m.embeddingDim).toBe(FOREIGN_DIM);
    expect(verifyManifestSignature(JSON.parse(readFileSync(join(work, 'ok', 'manifest.json'), 'utf8')), testSigningKey().publicKey)).toBe(true);
    expect(m.models.ranker.inputs).toEqual([
      { name: 'item_id', tensor: 'item_id' },
      { name: 'categories', tensor: 'categories' },
      { name: 'item_age', tensor: 'item_age' },
      { name: 'duration', tensor: 'duration' },
      { name: 'hist_ids', tensor: 'history:ids' },
      { name: 'hist_w', tensor: 'history:weights' },
    ]);
    expect(m.models.ranker.outputs).toEqual({ pClick: 'p_click', watchFraction: 'watch_fraction' });
    expect(m.models.userTower!.outputs).toEqual({ userVector: 'user_embedding' });
    expect(m.models.ranker.golden!.rows).toBe(8);
    expect(m.retrievalGolden!.ids).toHaveLength(Math.min(20, r.verified.headItems));
    // The shards hold the embeddings given, int8-quantised: the head's first item is close to its .npy row.
    const emb = readNpy(new Uint8Array(readFileSync(inputs.embeddings)), 'e');
    const headRef = m.artifacts.find((a) => a.kind === 'shard' && a.cluster === -1)!;
    const head = decodeShard(new Uint8Array(readFileSync(join(work, 'ok', headRef.url))));
    const row = Number(String(head.id(0)).slice(1)) - 1000;
    const got = itemVector(head, 0);
    const want = emb.data.subarray(row * FOREIGN_DIM, (row + 1) * FOREIGN_DIM);
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let j = 0; j < FOREIGN_DIM; j++) expect(Math.abs(got[j]! - want[j]!)).toBeLessThanOrEqual(scale / 127 + 1e-6);
    // What it checked, as the command prints it.
    const text = r.checks.join('\n');
    expect(text).toMatch(/ranker\.onnx: IR 8, opset 17 \(allowed 13-21\), written by pytorch/);
    expect(text).toMatch(/operators .*Gemm.*all run on WebGPU, WASM and plain JS/);
    expect(text).toMatch(/hist_ids <- history:ids/);
    expect(text).toMatch(/WebGPU limits: at most 6 tensors per node/);
    expect(text).toMatch(/Ed25519 signature verifies/);
  });

  it('golden vectors of the foreign models are reproduced by the plain-JS runtime (Gemm transB = 1)', async () => {
    const m = parseManifest(JSON.parse(readFileSync(join(work, 'ok', 'manifest.json'), 'utf8')));
    for (const role of ['ranker', 'userTower'] as const) {
      const model = m.models[role]!;
      const bytes = new Uint8Array(readFileSync(join(work, 'ok', m.artifacts.find((a) => a.name === model.artifact)!.url)));
      const session = createJsSession(bytes);
      const tensors = goldenTensors(model.golden!);
      const feeds = Object.fromEntries(model.inputs.map((b) => [b.name, { dims: [...tensors[b.tensor]!.dims], data: tensors[b.tensor]!.data }]));
      const out = session.run(feeds);
      const got = Object.fromEntries(Object.entries(model.outputs).map(([r, name]) => [r, out[name]!.data as Float32Array]));
      const check = checkGoldenOutputs(model.golden!, got);
      expect(check.problem).toBeNull();
      expect(check.maxDiff).toBeLessThan(1e-5);
      // The outputs vary over the rows: the golden check is not comparing constants.
      const first = Object.values(model.golden!.outputs)[0]!;
      expect(new Set(first.map((x) => x.toFixed(5))).size).toBeGreaterThan(2);
    }
  });

  it('runs as a command and prints what it checked', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const argv = ['release', '--embeddings', inputs.embeddings, '--items', inputs.items, '--features', inputs.features, '--ranker', inputs.ranker, '--user-tower', inputs.userTower!];
      argv.push('--bind', 'hist_ids=history:ids', '--bind', 'hist_w=history:weights', '--out', join(work, 'cli'), '--signing-key', TEST_SIGNING_KEY_FILE, '--clusters', '3');
      expect(await main(argv)).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/✓ .*user_tower\.onnx: outputs: userVector = user_embedding \(float32, \[batch, 8\]\)/);
      expect(printed).toMatch(/release r-.*: 300 items, 4 shards/);
      // Without --bind the history inputs match no tensor: exit 1, the file and the input named.
      expect(await main(argv.filter((a, i) => a !== '--bind' && argv[i - 1] !== '--bind'))).toBe(1);
      expect(String(err.mock.calls.at(-1)![0])).toMatch(/ranker\.onnx: graph\.input\[4\] "hist_ids": no feature tensor of that name/);
      expect(await main(['release', '--items', 'x.csv'])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    expect(() => parseReleaseArgs(['--embeddings', 'e', '--items', 'i', '--features', 'f', '--ranker', 'r', '--out', 'o', '--output', 'click=p'])).toThrow(/role must be one of pClick, watchFraction, userVector/);
  });
});

/** A one-node model: y = op(x), x [batch, width] of `elem`, for contract failures. */
function tiny(o: { op?: string; opset?: number; elem?: number; width?: number; batch?: number | string; inputs?: number; name?: string }): Uint8Array {
  const n = o.inputs ?? 1;
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? (o.name ?? 'duration') : `duration_${i}`));
  const model: ProtoModel = {
    irVersion: 8,
    opset: o.opset ?? 17,
    producerName: 'tf2onnx',
    producerVersion: '',
    docString: '',
    metadata: [],
    graph: {
      name: 'g',
      nodes: [{ name: 'n0', opType: o.op ?? 'Sigmoid', inputs: names, outputs: ['p_click'], attributes: o.op === 'Concat' ? [{ name: 'axis', kind: 'int', value: 1 }] : [] }],
      initializers: [],
      inputs: names.map((name) => ({ name, elemType: o.elem ?? DataType.FLOAT, dims: [o.batch ?? 'N', o.width ?? 1] })),
      outputs: [{ name: 'p_click', elemType: DataType.FLOAT, dims: ['N', o.op === 'Concat' ? n : 1] }],
    },
  };
  return encodeModel(model);
}

describe('ondeck release refuses what a device could not serve, naming the file and the field', () => {
  const contract = (bytes: Uint8Array) => checkModelContract({ file: 'm.onnx', bytes, role: 'ranker', spec, embeddingDim: FOREIGN_DIM });

  it('checks opset, operators, element types, shapes and WebGPU limits', async () => {
    await expect(contract(tiny({}))).resolves.toMatchObject({ inputs: [{ name: 'duration', tensor: 'duration' }], outputs: { pClick: 'p_click' } });
    await expect(checkModelContract({ file: 'ranker.onnx', bytes: foreignRanker(11), role: 'ranker', spec, embeddingDim: FOREIGN_DIM })).rejects.toThrow(
      /ranker\.onnx: opset_import\[ai\.onnx\]: opset 11; every device runtime reads opsets 13-21/,
    );
    await expect(contract(tiny({ op: 'Tanh' }))).rejects.toThrow(/m\.onnx: graph\.node\[0\] "n0"\.op_type: operator "Tanh" is not run by every device runtime/);
    await expect(contract(tiny({ elem: DataType.INT64, name: 'item_id' }))).rejects.toThrow(/graph\.input\[0\] "item_id"\.elem_type: is int64; the device feeds "item_id" as int32/);
    await expect(contract(tiny({ width: 3 }))).rejects.toThrow(/graph\.input\[0\] "duration"\.shape\[1\]: is 3; "duration" has width 1/);
    await expect(contract(tiny({ batch: 16 }))).rejects.toThrow(/shape\[0\]: is fixed at 16; the batch must be dynamic/);
    await expect(contract(tiny({ op: 'Concat', inputs: 8 }))).rejects.toThrow(/m\.onnx: graph\.node\[0\] "n0": Concat binds 9 tensors .* at most 8 storage buffers/);
    await expect(contract(new Uint8Array([0x0a, 0xff, 0x01]))).rejects.toThrow(/m\.onnx: bytes: not a readable ONNX protobuf/);
    const wrongDim = checkModelContract({ file: 'tower.onnx', bytes: readFileSync(inputs.userTower!), role: 'userTower', spec, embeddingDim: 6, bind: inputs.bind! });
    await expect(wrongDim).rejects.toThrow(/tower\.onnx: graph\.output "user_embedding"\.shape\[1\]: is 8; the user vector \(the embeddings' d = 6\) has width 6/);
  });

  it('checks the embeddings, the items CSV and the feature spec', async () => {
    const bad = (name: string, bytes: Uint8Array | string) => {
      const f = join(work, name);
      writeFileSync(f, bytes);
      return f;
    };
    const short = bad('short.npy', encodeNpy(new Float32Array(10 * FOREIGN_DIM), 10, FOREIGN_DIM));
    await expect(importRelease({ ...base('x1'), embeddings: short })).rejects.toThrow(/short\.npy: header\.shape\[0\]: 10 rows, but .*items\.csv has 300 items/);
    // float16 ('<f2', as torch.half exports) has the same header length as float32.
    const f16 = Buffer.from(encodeNpy(new Float32Array(4), 2, 2));
    const half = bad('half.npy', Buffer.from(f16.toString('latin1').replace("'<f4'", "'<f2'"), 'latin1'));
    await expect(importRelease({ ...base('x2'), embeddings: half })).rejects.toThrow(/half\.npy: header\.descr: "<f2"; expected little-endian float32/);
    const withNaN = new Float32Array(FOREIGN_ITEMS * FOREIGN_DIM);
    withNaN[3 * FOREIGN_DIM + 2] = NaN;
    await expect(importRelease({ ...base('x3'), embeddings: bad('nan.npy', encodeNpy(withNaN, FOREIGN_ITEMS, FOREIGN_DIM)) })).rejects.toThrow(/nan\.npy: data\[3\]\[2\]: NaN is not a finite float32/);
    const specBad = { ...FOREIGN_SPEC, features: [...FOREIGN_SPEC.features, { name: 'views', kind: 'numeric', source: 'item.views' }] };
    await expect(importRelease({ ...base('x4'), features: bad('spec.json', JSON.stringify(specBad)) })).rejects.toThrow(/spec\.json: features\[5\]\.source: "item\.views": the shards carry only item\.id/);
    await expect(importRelease({ ...base('x5'), features: bad('spec2.json', '{"version": 1, "features": [{"name": "a", "kind": "nope"}]}') })).rejects.toThrow(/spec2\.json: features\[0\]/);
    const csv = readFileSync(inputs.items, 'utf8').split('\n');
    csv[5] = csv[4]!;
    await expect(importRelease({ ...base('x6'), items: bad('dup.csv', csv.join('\n')) })).rejects.toThrow(/dup\.csv: item_id: 1 repeated ids/);
  });
});
