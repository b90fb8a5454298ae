/**
 * One tower of the two-tower model as an ONNX model (TwoTowerWeights in train/weights.ts):
 *
 *   x = Concat(parts of the tower); Relu layers; a linear last layer y [N, outputDim];
 *   vector = y · rsqrt(max(Σ y², normEpsilon))
 *
 * The device runs the user tower on every feed; the item tower runs in the pipeline to fill the
 * shards, and exporting it costs nothing extra, so both are here. Only the tables a tower reads
 * go into its file: the user tower carries the item id table for its history, not the item
 * tower's category or genre tables.
 */
import { OnnxGraph, dense } from '../onnx/index.ts';
import type { TwoTowerWeights } from '../train/index.ts';
import { EXPORT_DEFAULTS } from './defaults.ts';
import { OnnxExportError } from './errors.ts';
import type { InputBinding } from './input-names.ts';
import { modelBytes, type OnnxExport } from './model-file.ts';
import { buildPartsGraph } from './parts-graph.ts';
import { biasOf, checkFormat, weightOf } from './read-weights.ts';
import { unitRows } from './unit-rows.ts';

export interface UserTowerOutputs {
  userVector: string;
}

export interface ItemTowerOutputs {
  itemVector: string;
}

/** The user tower: the user tower's inputs -> `user_vector` [N, outputDim], unit rows. */
export function exportUserTowerOnnx(weights: TwoTowerWeights): OnnxExport<UserTowerOutputs> {
  const { bytes, inputs, output } = exportTower(weights, 'user', EXPORT_DEFAULTS.outputs.userVector);
  return { bytes, inputs, outputs: { userVector: output } };
}

/** The item tower: the item tower's inputs -> `item_vector` [N, outputDim], unit rows. */
export function exportItemTowerOnnx(weights: TwoTowerWeights): OnnxExport<ItemTowerOutputs> {
  const { bytes, inputs, output } = exportTower(weights, 'item', EXPORT_DEFAULTS.outputs.itemVector);
  return { bytes, inputs, outputs: { itemVector: output } };
}

interface BuiltTower {
  bytes: Uint8Array;
  inputs: InputBinding[];
  output: string;
}

function exportTower(weights: TwoTowerWeights, tower: 'user' | 'item', outputName: string): BuiltTower {
  checkFormat(weights, 'ondeck-two-tower', 1);
  const parts = tower === 'user' ? weights.userParts : weights.itemParts;
  const tensorNames = tower === 'user' ? weights.userInputs : weights.itemInputs;
  const layers = tower === 'user' ? weights.userLayers : weights.itemLayers;
  const field = `${tower}Layers`;
  if (layers.length === 0 || layers.at(-1) !== weights.outputDim) {
    throw new OnnxExportError(field, `must end with outputDim ${weights.outputDim}, got [${layers.join(', ')}]`);
  }
  if (!(weights.normEpsilon > 0)) throw new OnnxExportError('normEpsilon', `must be > 0, got ${weights.normEpsilon}`);
  const byName = new Map(weights.inputs.map((i) => [i.name, i] as const));
  const inputs = tensorNames.map((name, i) => {
    const input = byName.get(name);
    if (!input) throw new OnnxExportError(`${tower}Inputs[${i}]`, `"${name}" is not among the inputs`);
    return input;
  });

  const g = new OnnxGraph(`ondeck_${tower}_tower`);
  const width = parts.reduce((s, p) => s + p.width, 0);
  const built = buildPartsGraph(g, {
    parts,
    inputs,
    tables: weights.tables,
    weights: weights.weights,
    width,
    reserved: [outputName],
    field: `${tower}Parts`,
  });
  let y = built.x;
  let inWidth = width;
  layers.forEach((size, l) => {
    const W = weightOf(weights.weights, `${tower}.${l}.W`, [inWidth, size]);
    const last = l === layers.length - 1;
    y = dense(g, y, W, biasOf(weights.weights, `${tower}.${l}.b`, size), last ? 'none' : 'relu', { name: `${tower}_${l}` });
    inWidth = size;
  });
  const output = g.output(outputName, 'float32', [EXPORT_DEFAULTS.batchDim, weights.outputDim], unitRows(g, y, weights.normEpsilon));
  const bytes = modelBytes(g, {
    format: weights.format,
    version: weights.version,
    role: `${tower}-tower`,
    inputs: built.inputs,
    outputs: { [tower === 'user' ? 'userVector' : 'itemVector']: output },
  });
  return { bytes, inputs: built.inputs, output };
}
