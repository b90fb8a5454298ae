/**
 * Just enough of an ONNX reader to run our models without onnxruntime (the plain-JS ranker,
 * js-session.ts) or rebuild them in another runtime (tfjs, for the ranking benchmark):
 * ModelProto -> graph nodes, initializers, inputs and outputs, with tensor data as typed arrays. Field numbers are onnx/onnx.proto's; only what src/pipeline/onnx writes is read
 * (raw_data tensors; float, int, ints, floats attributes), plus the packed forms other writers use.
 */

import { OndeckError } from '../../../src/core/errors.ts';
import { ProtobufError, protoFields, protoVarints, type ProtoField } from '../../../src/core/onnx/index.ts';

export type OnnxData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** TensorProto.DataType: 1 float, 6 int32, 7 int64, 9 bool. */
  dataType: number;
  data: OnnxData;
}

export type OnnxAttribute = number | number[] | string | OnnxTensor;

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

export interface OnnxModel {
  opset: number;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: string[];
  outputs: string[];
}

export class OnnxReadError extends OndeckError {
  override name = 'OnnxReadError';
}

/** The fields of a protobuf buffer; bytes that are not protobuf are an OnnxReadError. */
function* fields(buf: Uint8Array): Generator<ProtoField> {
  try {
    yield* protoFields(buf);
  } catch (err) {
    if (err instanceof ProtobufError) throw new OnnxReadError(err.message, { cause: err });
    throw err;
  }
}

const text = new TextDecoder();

const varints = protoVarints;

function floats(f: ProtoField): number[] {
  const b = f.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Signed 64-bit from a varint (two's complement), as a JS number. */
const int = (v: bigint): number => Number(BigInt.asIntN(64, v));

function readTensor(buf: Uint8Array): OnnxTensor {
  const t = { name: '', dims: [] as number[], dataType: 0 };
  let raw: Uint8Array | null = null;
  const floatData: number[] = [];
  const intData: bigint[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) t.dims.push(...varints(f).map(int));
    else if (f.no === 2) t.dataType = int(f.value);
    else if (f.no === 4) floatData.push(...floats(f));
    else if (f.no === 5 || f.no === 7) intData.push(...varints(f));
    else if (f.no === 8) t.name = text.decode(f.bytes);
    else if (f.no === 9) raw = f.bytes;
  }
  const size = t.dims.reduce((a, b) => a * b, 1);
  // Copies, so the data is aligned and outlives the model bytes.
  const copy = raw ? raw.slice().buffer : null;
  let data: OnnxData;
  switch (t.dataType) {
    case 1:
      data = copy ? new Float32Array(copy) : Float32Array.from(floatData);
      break;
    case 6:
      data = copy ? new Int32Array(copy) : Int32Array.from(intData, int);
      break;
    case 7:
      data = copy ? new BigInt64Array(copy) : BigInt64Array.from(intData, (v) => BigInt.asIntN(64, v));
      break;
    case 9:
      data = copy ? new Uint8Array(copy) : Uint8Array.from(intData, int);
      break;
    default:
      throw new OnnxReadError(`tensor "${t.name}": data type ${t.dataType} is not read here (1 float, 6 int32, 7 int64, 9 bool)`);
  }
  if (data.length !== size) throw new OnnxReadError(`tensor "${t.name}": ${data.length} values for dims [${t.dims.join(', ')}]`);
  return { ...t, data };
}

function readAttribute(buf: Uint8Array): [string, OnnxAttribute] {
  let name = '';
  let value: OnnxAttribute | undefined;
  const fs: number[] = [];
  const is: number[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) name = text.decode(f.bytes);
    else if (f.no === 2) value = floats(f)[0]!;
    else if (f.no === 3) value = int(f.value);
    else if (f.no === 4) value = text.decode(f.bytes);
    else if (f.no === 5) value = readTensor(f.bytes);
    else if (f.no === 7) fs.push(...floats(f));
    else if (f.no === 8) is.push(...varints(f).map(int));
  }
  return [name, value ?? (fs.length > 0 ? fs : is)];
}

function readNode(buf: Uint8Array): OnnxNode {
  const n: OnnxNode = { opType: '', name: '', inputs: [], outputs: [], attributes: {} };
  for (const f of fields(buf)) {
    if (f.no === 1) n.inputs.push(text.decode(f.bytes));
    else if (f.no === 2) n.outputs.push(text.decode(f.bytes));
    else if (f.no === 3) n.name = text.decode(f.bytes);
    else if (f.no === 4) n.opType = text.decode(f.bytes);
    else if (f.no === 5) {
      const [k, v] = readAttribute(f.bytes);
      n.attributes[k] = v;
    }
  }
  return n;
}

/** ValueInfoProto's name (field 1). */
function valueName(buf: Uint8Array): string {
  for (const f of fields(buf)) if (f.no === 1) return text.decode(f.bytes);
  throw new OnnxReadError('a graph input or output has no name');
}

export function readOnnx(bytes: Uint8Array): OnnxModel {
  const model: OnnxModel = { opset: 0, nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  let graph: Uint8Array | null = null;
  for (const f of fields(bytes)) {
    if (f.no === 7) graph = f.bytes;
    else if (f.no === 8) {
      let domain = '';
      let version = 0;
      for (const g of fields(f.bytes)) {
        if (g.no === 1) domain = text.decode(g.bytes);
        else if (g.no === 2) version = int(g.value);
      }
      if (domain === '' || domain === 'ai.onnx') model.opset = version;
    }
  }
  if (!graph) throw new OnnxReadError('the model has no graph (ModelProto field 7)');
  for (const f of fields(graph)) {
    if (f.no === 1) model.nodes.push(readNode(f.bytes));
    else if (f.no === 5) {
      const t = readTensor(f.bytes);
      model.initializers.set(t.name, t);
    } else if (f.no === 11) model.inputs.push(valueName(f.bytes));
    else if (f.no === 12) model.outputs.push(valueName(f.bytes));
  }
  // Older writers list initializers among the inputs too; the real inputs are the rest.
  model.inputs = model.inputs.filter((n) => !model.initializers.has(n));
  return model;
}
