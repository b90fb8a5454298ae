import { beforeAll, describe, expect, it } from 'vitest';
import specJson from '../../fixtures/feature-spec.json' with { type: 'json' };
import { parseFeatureSpec } from '../../../src/core/features/index.ts';
import { exportRankerOnnx, exportUserTowerOnnx } from '../../../src/pipeline/export/index.ts';
import {
  ONNX_DEFAULTS,
  OnnxGraph,
  concat,
  createNodeSession,
  ortForNode,
  tensorsOfNode,
} from '../../../src/pipeline/onnx/index.ts';
import { disposeDcn, disposeTwoTower, ensureTrainingBackend, exportDcnWeights, exportTwoTowerWeights, initDcn } from '../../../src/pipeline/train/index.ts';
import { initTwoTower } from '../../../src/pipeline/train/two-tower.ts';
import { readOnnx } from '../../../workers/ranking/js/onnx-reader.ts';

// Issue 12: onnxruntime-web's WebGPU backend binds every input and output of a node as a storage
// buffer of one shader, and a default WebGPU device allows 8. The demo release's ranker had a
// 9-input Concat; on WebGPU it failed validation and scored every item sigmoid(1).

const spec = parseFeatureSpec(specJson);
const LIMIT = ONNX_DEFAULTS.maxTensorsPerNode;
const ort = ortForNode();

beforeAll(async () => {
  await ensureTrainingBackend();
});

function widest(bytes: Uint8Array): { name: string; opType: string; tensors: number } {
  const nodes = readOnnx(bytes).nodes.map((n) => ({ name: n.name, opType: n.opType, tensors: tensorsOfNode(n) }));
  return nodes.reduce((a, b) => (b.tensors > a.tensors ? b : a));
}

describe('exported graphs fit a default WebGPU device', () => {
  it('is the WebGPU default limit', () => {
    expect(LIMIT).toBe(8);
  });

  it('a ranker with 11 feature parts: no node binds more than 8 tensors, the parts still all reach x0', async () => {
    const model = await initDcn({ spec, embeddingDim: 4, deepLayers: [8], crossLayers: 1 }, 1);
    const weights = exportDcnWeights(model);
    disposeDcn(model);
    // More parts than one Concat may take (the demo release's ranker had 9).
    expect(weights.parts.length).toBeGreaterThanOrEqual(LIMIT);
    const { bytes } = exportRankerOnnx(weights);
    const w = widest(bytes);
    expect(w.tensors, `${w.opType} ${w.name}`).toBeLessThanOrEqual(LIMIT);
    const concats = readOnnx(bytes).nodes.filter((n) => n.opType === 'Concat');
    // x0 as a tree (two levels for 11 parts: 7 + 4, then 2) and z = Concat(cross, deep).
    expect(concats.map((n) => n.inputs.length)).toEqual([7, 4, 2, 2]);
  });

  it('a user tower over every user feature: no node binds more than 8 tensors', async () => {
    const model = await initTwoTower({ spec, embeddingDim: 4, userLayers: [8], itemLayers: [8], outputDim: 4 }, 2);
    const weights = exportTwoTowerWeights(model);
    disposeTwoTower(model);
    expect(widest(exportUserTowerOnnx(weights).bytes).tensors).toBeLessThanOrEqual(LIMIT);
  });

  it('toBytes refuses a node over the limit, naming it', () => {
    const g = new OnnxGraph('wide');
    const xs = Array.from({ length: LIMIT }, (_, i) => g.input(`x${i}`, 'float32', ['N', 1]));
    const [wide] = g.node('Concat', xs, { axis: 1 });
    g.output('y', 'float32', ['N', LIMIT], wide);
    expect(() => g.toBytes({ opset: 13 })).toThrow(
      expect.objectContaining({ name: 'OnnxDeviceLimitError', nodeName: 'Concat', tensors: LIMIT + 1, field: 'node Concat' }),
    );
  });

  it.each([1, 2, 7, 8, 13, 49, 50])('concat of %i inputs is a tree of Concats with the bits of one', async (n) => {
    const g = new OnnxGraph('tree');
    const widths = Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const xs = widths.map((w, i) => g.input(`x${i}`, 'float32', ['N', w]));
    const total = widths.reduce((a, b) => a + b, 0);
    g.output('y', 'float32', ['N', total], concat(g, xs));
    const bytes = g.toBytes({ opset: 13 });
    expect(widest(bytes).tensors).toBeLessThanOrEqual(LIMIT);
    const rows = 3;
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    const want = new Float32Array(rows * total);
    let col = 0;
    widths.forEach((w, i) => {
      const data = Float32Array.from({ length: rows * w }, (_, k) => Math.fround(Math.sin(i * 31 + k) * 1e3) / 7);
      feeds[`x${i}`] = new ort.Tensor('float32', data, [rows, w]);
      for (let r = 0; r < rows; r++) for (let c = 0; c < w; c++) want[r * total + col + c] = data[r * w + c]!;
      col += w;
    });
    const session = await createNodeSession(bytes);
    try {
      const got = (await session.run(feeds)).y!.data as Float32Array;
      expect(Array.from(got)).toEqual(Array.from(want));
    } finally {
      await session.release();
    }
  });
});
