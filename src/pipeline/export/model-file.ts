/**
 * What an export returns, and the model file's self-description. The binding list is also
 * written into the file's metadata, so a model found on disk without its manifest still says
 * which feature tensor feeds which input and which weights format it was built from.
 */
import { ONNX_DEFAULTS, type OnnxGraph } from '../onnx/index.ts';
import { EXPORT_DEFAULTS } from './defaults.ts';
import type { InputBinding } from './input-names.ts';

/** An exported model: the file, and its inputs and outputs as a release manifest lists them. */
export interface OnnxExport<Outputs> {
  /** ModelProto bytes, ready for `InferenceSession.create` or to be written as an artifact. */
  bytes: Uint8Array;
  /** Every graph input, in graph order, with the feature tensor that feeds it. */
  inputs: InputBinding[];
  /** Role -> graph output name. */
  outputs: Outputs;
}

export interface ModelDescription {
  /** The weights format and version the graph was built from, e.g. `ondeck-dcn-v2`, 1. */
  format: string;
  version: number;
  /** What the model is in the release: `ranker`, `user-tower`, `item-tower`. */
  role: string;
  inputs: readonly InputBinding[];
  outputs: Readonly<Record<string, string | undefined>>;
}

/** Serialises `g` with producer `ondeck`, a doc string naming the weights format, and metadata. */
export function modelBytes(g: OnnxGraph, d: ModelDescription): Uint8Array {
  const key = (k: string) => `${EXPORT_DEFAULTS.metadataPrefix}${k}`;
  const outputs = Object.fromEntries(Object.entries(d.outputs).filter(([, v]) => v !== undefined));
  return g.toBytes({
    opset: ONNX_DEFAULTS.opset,
    producer: ONNX_DEFAULTS.producerName,
    docString: `ondeck ${d.role}, built from weights format ${d.format} version ${d.version}`,
    metadata: {
      [key('format')]: d.format,
      [key('format_version')]: String(d.version),
      [key('role')]: d.role,
      [key('inputs')]: JSON.stringify(d.inputs),
      [key('outputs')]: JSON.stringify(outputs),
    },
  });
}
