/**
 * The DCN-V2 ranker as an ONNX model, rebuilt from its exported weights (DcnWeights in
 * train/weights.ts, whose doc comment is the forward pass reproduced here node for node):
 *
 *   x0 = Concat(parts); x = cross layers on x0; h = Relu MLP on x0; z = Concat(x, h)
 *   p_click = Sigmoid(z·head.click.W + b) [N, 1]; watch_fraction likewise when trained with it
 */
import { OnnxGraph, concat, crossLayer, dense, splitAffine, type CrossParams } from '../onnx/index.ts';
import type { DcnWeights } from '../train/index.ts';
import { EXPORT_DEFAULTS } from './defaults.ts';
import { OnnxExportError } from './errors.ts';
import { modelBytes, type OnnxExport } from './model-file.ts';
import { buildPartsGraph } from './parts-graph.ts';
import { biasOf, checkFormat, weightOf } from './read-weights.ts';

/** Graph output names of the ranker, by manifest role (ModelRef.outputs). */
export interface RankerOutputs {
  pClick: string;
  /** Present when the model has the watch head. */
  watchFraction?: string;
}

export interface RankerExportOptions {
  /**
   * Inputs (tensor names) to take per user, [U, width], with `user:index` [N, 1]: what
   * userTensors(spec) of src/core/features gives, so that the history is pooled once per feed,
   * not once per candidate. Default: none, every input [N, width].
   */
  perUser?: ReadonlySet<string>;
}

export function exportRankerOnnx(weights: DcnWeights, options: RankerExportOptions = {}): OnnxExport<RankerOutputs> {
  checkFormat(weights, 'ondeck-dcn-v2', 1);
  const names = EXPORT_DEFAULTS.outputs;
  const heads = checkHeads(weights.heads);
  const w = weights.weights;
  const d = weights.x0Width;
  const g = new OnnxGraph('ondeck_ranker');
  const { x: x0, inputs, split } = buildPartsGraph(g, {
    parts: weights.parts,
    inputs: weights.inputs,
    tables: weights.tables,
    weights: w,
    width: d,
    reserved: [names.pClick, names.watchFraction],
    field: 'parts',
    ...(options.perUser ? { perUser: options.perUser } : {}),
  });

  let x = x0;
  for (let l = 0; l < weights.crossLayers; l++) {
    const b = biasOf(w, `cross.${l}.b`, d);
    const r = weights.crossRank;
    const params: CrossParams =
      r === 0
        ? { W: weightOf(w, `cross.${l}.W`, [d, d]), b }
        : { V: weightOf(w, `cross.${l}.V`, [d, r]), U: weightOf(w, `cross.${l}.U`, [r, d]), b };
    x = crossLayer(g, x0, x, params, { name: `cross_${l}`, split });
  }
  let h = x0;
  let width = d;
  weights.deepLayers.forEach((size, l) => {
    const W = weightOf(w, `deep.${l}.W`, [width, size]);
    const b = biasOf(w, `deep.${l}.b`, size);
    // The first deep layer reads x0: its per-user share once per user, where there is a split.
    h = l === 0 && split ? g.node('Relu', [splitAffine(g, split, W, b, { name: `deep_${l}` })])[0]! : dense(g, h, W, b, 'relu', { name: `deep_${l}` });
    width = size;
  });
  const z = weights.deepLayers.length > 0 ? concat(g, [x, h], 1) : x;
  const zWidth = d + (weights.deepLayers.at(-1) ?? 0);

  const head = (name: 'click' | 'watch', output: string): string => {
    const p = dense(g, z, weightOf(w, `head.${name}.W`, [zWidth, 1]), biasOf(w, `head.${name}.b`, 1), 'sigmoid', { name: `head_${name}` });
    return g.output(output, 'float32', [EXPORT_DEFAULTS.batchDim, 1], p);
  };
  const outputs: RankerOutputs = { pClick: head('click', names.pClick) };
  if (heads.watch) outputs.watchFraction = head('watch', names.watchFraction);

  const bytes = modelBytes(g, { format: weights.format, version: weights.version, role: 'ranker', inputs, outputs: { ...outputs } });
  return { bytes, inputs, outputs };
}

/** `heads` is ['click'] or ['click', 'watch'] (weights.ts): nothing else has an output role. */
function checkHeads(heads: readonly string[]): { watch: boolean } {
  const ok = heads[0] === 'click' && (heads.length === 1 || (heads.length === 2 && heads[1] === 'watch'));
  if (!ok) throw new OnnxExportError('heads', `must be ["click"] or ["click", "watch"], got ${JSON.stringify(heads)}`);
  return { watch: heads.length === 2 };
}
