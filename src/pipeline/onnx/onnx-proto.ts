import { ProtoWriter } from './protobuf-writer.ts';

/**
 * The ONNX messages the exporter writes, as plain data, and their encoding. Field numbers are
 * those of onnx/onnx.proto (stable since IR version 3); only the fields we set are listed.
 * Repeated scalars are written unpacked, the proto2 default onnx.proto declares, which every
 * parser accepts.
 */

/** TensorProto.DataType codes. */
export const DataType = Object.freeze({ FLOAT: 1, BOOL: 9, INT32: 6, INT64: 7 });

/** AttributeProto.AttributeType codes. */
const AttributeType = Object.freeze({ FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 });

export type ProtoDim = number | string;

export interface ProtoTensor {
  name: string;
  dataType: number;
  dims: readonly number[];
  /** Little-endian element bytes (TensorProto.raw_data). */
  raw: Uint8Array;
}

export interface ProtoValueInfo {
  name: string;
  elemType: number;
  /** A number is a fixed size, a string a symbolic one (dim_param), e.g. the batch 'N'. */
  dims: readonly ProtoDim[];
}

export type ProtoAttribute =
  | { name: string; kind: 'int'; value: number }
  | { name: string; kind: 'float'; value: number }
  | { name: string; kind: 'string'; value: string }
  | { name: string; kind: 'ints'; value: readonly number[] }
  | { name: string; kind: 'floats'; value: readonly number[] };

export interface ProtoNode {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: readonly ProtoAttribute[];
}

export interface ProtoGraph {
  name: string;
  nodes: readonly ProtoNode[];
  initializers: readonly ProtoTensor[];
  inputs: readonly ProtoValueInfo[];
  outputs: readonly ProtoValueInfo[];
}

export interface ProtoModel {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: readonly (readonly [string, string])[];
  graph: ProtoGraph;
}

export function encodeModel(m: ProtoModel): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, m.irVersion);
  w.string(2, m.producerName);
  if (m.producerVersion) w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  // The default domain ('' = ai.onnx) is the only one used; its version is the opset.
  w.message(8, new ProtoWriter().varint(2, m.opset));
  for (const [key, value] of m.metadata) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}

function encodeGraph(g: ProtoGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

function encodeNode(n: ProtoNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes) w.message(5, encodeAttribute(a));
  return w;
}

function encodeAttribute(a: ProtoAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name);
  switch (a.kind) {
    case 'float':
      return w.float(2, a.value).varint(20, AttributeType.FLOAT);
    case 'int':
      return w.varint(3, a.value).varint(20, AttributeType.INT);
    case 'string':
      return w.string(4, a.value).varint(20, AttributeType.STRING);
    case 'floats':
      for (const f of a.value) w.float(7, f);
      return w.varint(20, AttributeType.FLOATS);
    case 'ints':
      for (const i of a.value) w.varint(8, i);
      return w.varint(20, AttributeType.INTS);
  }
}

function encodeTensor(t: ProtoTensor): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, t.dataType);
  w.string(8, t.name);
  w.bytesField(9, t.raw);
  return w;
}

function encodeValueInfo(v: ProtoValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) {
    shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  }
  const tensorType = new ProtoWriter().varint(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}
