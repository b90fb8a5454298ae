/**
 * Reading the exported weight arrays with their shapes checked. The ONNX layers check only that
 * a layer's own weights fit together (W against b); whether W's input width matches what feeds
 * it is known to ORT only when it runs. Checking every shape against the layout here turns a
 * trainer bug into an export error naming the weight.
 */
import type { Weights } from '../onnx/index.ts';
import type { WeightMap } from '../train/index.ts';
import { OnnxExportError } from './errors.ts';

/** The weight `name` of `weights`, which must have exactly `shape`. */
export function weightOf(weights: WeightMap, name: string, shape: readonly number[]): Weights {
  const field = `weights["${name}"]`;
  const w = weights[name];
  if (!w) throw new OnnxExportError(field, `is missing; the layout needs it with shape [${shape.join(', ')}]`);
  const same = w.shape.length === shape.length && w.shape.every((d, i) => d === shape[i]);
  if (!same) throw new OnnxExportError(field, `must have shape [${shape.join(', ')}], got [${w.shape.join(', ')}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (w.data.length !== size) throw new OnnxExportError(`${field}.data`, `has ${w.data.length} values, shape [${shape.join(', ')}] needs ${size}`);
  return { data: w.data, dims: [...shape] };
}

/** The bias `name` as the layers take it: a [size] weight. */
export function biasOf(weights: WeightMap, name: string, size: number): Float32Array {
  return weightOf(weights, name, [size]).data;
}

/** Throws unless the weights are in the one format and version this exporter reads. */
export function checkFormat(got: { format: string; version: number }, format: string, version: number): void {
  if (got.format !== format) throw new OnnxExportError('format', `must be "${format}", got "${got.format}"`);
  if (got.version !== version) throw new OnnxExportError('version', `${got.version} is not supported; this exporter reads ${format} version ${version}`);
}
