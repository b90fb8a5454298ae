// Issue 12, provoked: a node over WebGPU's default limit of 8 storage buffers per shader (the
// demo release's ranker once had a 9-input Concat). onnxruntime-web's WebGPU backend resolves
// such a run with outputs the failed shader never wrote; the runner must never serve them: the
// golden-vector check (and the error scope around the run) moves it to WASM, saying why. Its own
// file: a fresh page whose onnxruntime-web device sees only these models.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ModelGolden, ModelRef } from '../../src/core/release/index.ts';
import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import { toProtoAttributes } from '../../src/pipeline/onnx/attributes.ts';
import { DataType, encodeModel } from '../../src/pipeline/onnx/onnx-proto.ts';
import { configureOrt, createModelRunner } from '../../workers/ranking/index.ts';

const WIDTH = 9; // inputs of the Concat: 9 + 1 output = 10 storage buffers > 8
const ROWS = 4;
const names = Array.from({ length: WIDTH }, (_, i) => `x${i}`);

/** One Concat of 9 [N, 1] inputs, written without the exporter (which refuses it). */
function wideConcatModel(): Uint8Array {
  return encodeModel({
    irVersion: 7,
    opset: 13,
    producerName: 'test',
    producerVersion: '',
    docString: 'a node over the WebGPU default storage-buffer limit',
    metadata: [],
    graph: {
      name: 'wide',
      nodes: [{ name: 'Concat', opType: 'Concat', inputs: names, outputs: ['y'], attributes: toProtoAttributes({ axis: 1 }, 'Concat') }],
      initializers: [],
      inputs: names.map((name) => ({ name, elemType: DataType.FLOAT, dims: ['N', 1] })),
      outputs: [{ name: 'y', elemType: DataType.FLOAT, dims: ['N', WIDTH] }],
    },
  });
}

const value = (r: number, c: number) => 1 + r * WIDTH + c;
const golden: ModelGolden = {
  rows: ROWS,
  inputs: Object.fromEntries(names.map((n, c) => [`t${c}`, { type: 'float32', dims: [ROWS, 1], data: Array.from({ length: ROWS }, (_, r) => value(r, c)) }])),
  outputs: { pClick: Array.from({ length: ROWS * WIDTH }, (_, i) => value(Math.floor(i / WIDTH), i % WIDTH)) },
};
const model: ModelRef = { artifact: 'wide', inputs: names.map((name, c) => ({ name, tensor: `t${c}` })), outputs: { pClick: 'y' }, golden };
const bytes = wideConcatModel();

let manifest: ReleaseManifest;
let ranker: Uint8Array;

beforeAll(async () => {
  configureOrt({ isolated: inject('isolated') });
  const manifestUrl = new URL(inject('fixtureRelease'), location.href);
  manifest = parseManifest(await (await fetch(manifestUrl)).json());
  const artifact = manifest.artifacts.find((a) => a.name === manifest.models.ranker.artifact)!;
  ranker = new Uint8Array(await (await fetch(new URL(artifact.url, manifestUrl))).arrayBuffer());
});

describe('a model over the WebGPU default limits', () => {
  it('on plain onnxruntime-web WebGPU: the run "succeeds" with outputs never written', async () => {
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'] });
    const device = await ort.env.webgpu.device;
    const errors: string[] = [];
    // The validation error arrives as an event after the run: awaited, not given a fixed time.
    let reported!: () => void;
    const firstError = new Promise<void>((resolve) => (reported = resolve));
    const onError = (e: Event) => {
      errors.push((e as GPUUncapturedErrorEvent).error.message);
      reported();
    };
    device.addEventListener('uncapturederror', onError);
    try {
      const feeds = Object.fromEntries(names.map((n, c) => [n, new ort.Tensor('float32', Float32Array.from(golden.inputs[`t${c}`]!.data), [ROWS, 1])]));
      const y = (await session.run(feeds)).y!.data as Float32Array;
      // What issue 12 saw: no exception, and not the concatenation.
      expect(Array.from(y)).not.toEqual(golden.outputs.pClick);
      await firstError;
      expect(errors.join('\n')).toMatch(/storage buffers/);
    } finally {
      device.removeEventListener('uncapturederror', onError);
      await session.release();
    }
  });

  it('the runner passes WebGPU over, names why, and serves the right values from WASM', async () => {
    const r = await createModelRunner(bytes, model, { providers: ['webgpu', 'wasm'] });
    try {
      expect(r.provider).toBe('wasm');
      expect(r.report.fallbacks).toHaveLength(1);
      const [f] = r.report.fallbacks;
      expect(f!.provider).toBe('webgpu');
      // Caught by the error scope around the golden run; the golden check alone would catch it too.
      expect(f!.name).toBe('ModelGpuError');
      // The pipeline the previous test compiled is cached as invalid; a fresh page says "storage buffers".
      expect(f!.message).toMatch(/^model "wide" on webgpu: WebGPU validation error: .*(storage buffers|Concat)/);
      expect(r.report.verification).toMatchObject({ verified: true, maxDiff: 0 });
      const out = await r.run(Object.fromEntries(Object.entries(golden.inputs).map(([t, v]) => [t, { type: 'float32' as const, dims: [ROWS, 1] as [number, number], data: Float32Array.from(v.data) }])));
      expect(Array.from(out.pClick!)).toEqual(golden.outputs.pClick);
    } finally {
      await r.dispose();
    }
  });
});

describe('a release whose golden vectors a provider does not reproduce', () => {
  it('never serves from it: every provider failing is a ModelSessionError naming each', async () => {
    const g = manifest.models.ranker.golden!;
    const wrong: ModelRef = { ...manifest.models.ranker, golden: { ...g, outputs: { ...g.outputs, pClick: g.outputs.pClick!.map((p, i) => (i === 2 ? p + 0.01 : p)) } } };
    const err = await createModelRunner(ranker, wrong, { providers: ['webgpu', 'wasm', 'js'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelSessionError' });
    const failures = (err as { failures: { provider: string; name: string; message: string }[] }).failures;
    expect(failures.map((f) => [f.provider, f.name])).toEqual([
      ['webgpu', 'GoldenMismatchError'],
      ['wasm', 'GoldenMismatchError'],
      ['js', 'GoldenMismatchError'],
    ]);
    expect(failures[1]!.message).toMatch(/pClick row 2: got .*, the pipeline computed/);
    // And with the release's own golden vectors, WebGPU proves itself and serves.
    const ok = await createModelRunner(ranker, manifest.models.ranker, { providers: ['webgpu', 'wasm'] });
    expect(ok.provider).toBe('webgpu');
    expect(ok.report.verification.verified).toBe(true);
    await ok.dispose();
  });
});
