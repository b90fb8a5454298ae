/**
 * Reads what the import checks need from an ONNX file written by any exporter (torch.onnx,
 * tf2onnx, onnx.helper): the IR version, the opsets, the graph's inputs and outputs with their
 * element types and shapes, each node's operator, domain and integer attributes, and each
 * initializer's size. Field numbers are onnx/onnx.proto's. Tensor data is not decoded (only
 * measured): onnxruntime runs the model for the golden vectors, this only judges its contract.
 * src/pipeline cannot import the device's reader (workers/ranking/js), and that one reads names only.
 */
import { ProtobufError, protoFields, protoVarints, type ProtoField } from '../../core/onnx/index.ts';
import { ImportError } from './errors.ts';

/** A fixed size, a symbolic one (dim_param, e.g. "batch"), or null when the exporter left it unset. */
export type ReadDim = number | string | null;

export interface ReadValue {
  name: string;
  /** TensorProto.DataType: 1 float, 6 int32, 7 int64, ...; 0 when not a tensor type. */
  elemType: number;
  /** null when the value has no shape at all. */
  dims: ReadDim[] | null;
}

export interface ReadNode {
  name: string;
  opType: string;
  /** '' (or 'ai.onnx') is the default domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (transA, axis, to, keepdims...); others are listed with NaN. */
  ints: Record<string, number>;
}

export interface ReadModel {
  irVersion: number;
  producer: string;
  /** Domain -> version ('' is the default domain). */
  opsets: Map<string, number>;
  inputs: ReadValue[];
  outputs: ReadValue[];
  nodes: ReadNode[];
  /** Initializer name -> dims and byte size of its data. */
  initializers: Map<string, { dims: number[]; dataType: number; bytes: number }>;
}

/** TensorProto.DataType names, for messages. */
export const ELEM_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'undefined',
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};
const ELEM_BYTES: Readonly<Record<number, number>> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

const text = new TextDecoder();
const fields = protoFields; // the wire format, shared with the device's reader

const int = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** Varints of a repeated field, as signed 64-bit numbers. */
const varints = (f: ProtoField): number[] => protoVarints(f).map(int);

function readValue(buf: Uint8Array): ReadValue {
  const v: ReadValue = { name: '', elemType: 0, dims: null };
  for (const f of fields(buf)) {
    if (f.no === 1) v.name = text.decode(f.bytes);
    else if (f.no === 2) {
      // TypeProto.tensor_type (1): elem_type (1), shape (2) of dims (1): dim_value (1) | dim_param (2).
      for (const t of fields(f.bytes)) {
        if (t.no !== 1) continue;
        for (const tt of fields(t.bytes)) {
          if (tt.no === 1) v.elemType = int(tt.value);
          else if (tt.no === 2) {
            v.dims = [];
            for (const d of fields(tt.bytes)) {
              if (d.no !== 1) continue;
              let dim: ReadDim = null;
              for (const x of fields(d.bytes)) {
                if (x.no === 1) dim = int(x.value);
                else if (x.no === 2) dim = text.decode(x.bytes);
              }
              v.dims.push(dim);
            }
          }
        }
      }
    }
  }
  return v;
}

function readNode(buf: Uint8Array): ReadNode {
  const n: ReadNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], ints: {} };
  for (const f of fields(buf)) {
    if (f.no === 1) n.inputs.push(text.decode(f.bytes));
    else if (f.no === 2) n.outputs.push(text.decode(f.bytes));
    else if (f.no === 3) n.name = text.decode(f.bytes);
    else if (f.no === 4) n.opType = text.decode(f.bytes);
    else if (f.no === 7) n.domain = text.decode(f.bytes);
    else if (f.no === 5) {
      let name = '';
      let value = NaN;
      for (const a of fields(f.bytes)) {
        if (a.no === 1) name = text.decode(a.bytes);
        else if (a.no === 3) value = int(a.value);
      }
      n.ints[name] = value;
    }
  }
  return n;
}

function readInitializer(buf: Uint8Array): { name: string; dims: number[]; dataType: number; bytes: number } {
  const t = { name: '', dims: [] as number[], dataType: 0, bytes: 0 };
  let raw = -1;
  for (const f of fields(buf)) {
    if (f.no === 1) t.dims.push(...varints(f));
    else if (f.no === 2) t.dataType = int(f.value);
    else if (f.no === 8) t.name = text.decode(f.bytes);
    else if (f.no === 9) raw = f.bytes.length;
  }
  const count = t.dims.reduce((a, b) => a * b, 1);
  t.bytes = raw >= 0 ? raw : count * (ELEM_BYTES[t.dataType] ?? 4);
  return t;
}

/** Parses `bytes` (the ONNX file `file`); an unreadable file throws ImportError naming it. */
export function readOnnxModel(bytes: Uint8Array, file: string): ReadModel {
  const model: ReadModel = { irVersion: 0, producer: '', opsets: new Map(), inputs: [], outputs: [], nodes: [], initializers: new Map() };
  try {
    let graph: Uint8Array | null = null;
    for (const f of fields(bytes)) {
      if (f.no === 1) model.irVersion = int(f.value);
      else if (f.no === 2) model.producer = text.decode(f.bytes);
      else if (f.no === 7) graph = f.bytes;
      else if (f.no === 8) {
        let domain = '';
        let version = 0;
        for (const g of fields(f.bytes)) {
          if (g.no === 1) domain = text.decode(g.bytes);
          else if (g.no === 2) version = int(g.value);
        }
        model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
      }
    }
    if (!graph) throw new ImportError(file, 'graph', 'the file has no graph (ModelProto field 7); is it an ONNX model?');
    const inputs: ReadValue[] = [];
    for (const f of fields(graph)) {
      if (f.no === 1) model.nodes.push(readNode(f.bytes));
      else if (f.no === 5) {
        const t = readInitializer(f.bytes);
        model.initializers.set(t.name, t);
      } else if (f.no === 11) inputs.push(readValue(f.bytes));
      else if (f.no === 12) model.outputs.push(readValue(f.bytes));
    }
    // Older writers list initializers among the inputs too; the real inputs are the rest.
    model.inputs = inputs.filter((v) => !model.initializers.has(v.name));
  } catch (err) {
    if (err instanceof ProtobufError) throw new ImportError(file, 'bytes', `not a readable ONNX protobuf (${err.message})`, { cause: err });
    throw err;
  }
  return model;
}
