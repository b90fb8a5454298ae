import { toProtoAttributes, type Attrs } from './attributes.ts';
import { ONNX_DEFAULTS } from './defaults.ts';
import { checkDeviceLimits } from './device-limits.ts';
import { OnnxDuplicateNameError, OnnxGraphError, OnnxUnknownNameError, OnnxUnsupportedOpError } from './errors.ts';
import {
  DataType,
  encodeModel,
  type ProtoNode,
  type ProtoTensor,
  type ProtoValueInfo,
} from './onnx-proto.ts';

/** Element types a graph input or output may have; the device builds int32 id tensors. */
export type OnnxElemType = 'float32' | 'int32' | 'int64';
/** A fixed size, 'N': the dynamic batch (rows), or 'U': the users of per-user inputs. */
export type OnnxDim = number | 'N' | 'U';
export type InitializerData = Float32Array | Int32Array | BigInt64Array;

export interface OnnxValueSpec {
  name: string;
  type: OnnxElemType;
  dims: readonly OnnxDim[];
}

export interface ToBytesOptions {
  opset: typeof ONNX_DEFAULTS.opset;
  producer?: string;
  producerVersion?: string;
  docString?: string;
  /** ModelProto.metadata_props, e.g. the release id or the feature-spec hash. */
  metadata?: Readonly<Record<string, string>>;
}

const ELEM_CODES: Readonly<Record<OnnxElemType, number>> = {
  float32: DataType.FLOAT,
  int32: DataType.INT32,
  int64: DataType.INT64,
};

/** Constants this small are deduplicated by value (axes, eps, 0 and 1 scalars). */
const DEDUP_MAX_ELEMENTS = 16;

/**
 * Builds one ONNX graph, node by node, in topological order by construction: a node may only
 * read values defined before it, so a misspelt or forgotten name fails at the line that uses it
 * (OnnxUnknownNameError) rather than when ORT loads the model.
 */
export class OnnxGraph {
  readonly name: string;
  readonly #defined = new Set<string>();
  /** Value name -> index in `nodes` of the node that writes it. */
  readonly #producers = new Map<string, number>();
  readonly #inputs: OnnxValueSpec[] = [];
  readonly #outputs: OnnxValueSpec[] = [];
  readonly #initializers: ProtoTensor[] = [];
  readonly #nodes: ProtoNode[] = [];
  readonly #constants = new Map<string, string>();
  readonly #nodeNames = new Set<string>();
  readonly #scopes = new Set<string>();
  readonly #allowedOps: ReadonlySet<string> = new Set(ONNX_DEFAULTS.portableOps);

  constructor(name: string) {
    if (!name) throw new OnnxGraphError('name', 'a graph needs a non-empty name');
    this.name = name;
  }

  /** Declares a graph input; returns its name. */
  input(name: string, type: OnnxElemType, dims: readonly OnnxDim[]): string {
    const field = `input "${name}"`;
    this.#checkFree(name, field);
    checkElemType(type, `${field}.type`);
    checkDims(dims, `${field}.dims`, true);
    this.#defined.add(name);
    this.#inputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /**
   * Adds a constant tensor (weights, axes); returns its name. The data is copied now, so a
   * trainer may reuse its buffers; its element type follows the array type.
   */
  initializer(name: string, data: InitializerData, dims: readonly number[]): string {
    const field = `initializer "${name}"`;
    this.#checkFree(name, field);
    checkDims(dims, `${field}.dims`, false);
    const size = dims.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new OnnxGraphError(`${field}.data`, `has ${data.length} elements, dims [${dims.join(', ')}] need ${size}`);
    }
    if (data instanceof Float32Array) {
      // A NaN in the weights is a diverged training run; shipping it would score every item NaN.
      const bad = data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new OnnxGraphError(`${field}.data[${bad}]`, `${data[bad]} is not finite`);
    }
    this.#defined.add(name);
    this.#initializers.push({ name, dataType: dataTypeOf(data), dims: [...dims], raw: littleEndianBytes(data) });
    return name;
  }

  /**
   * A small constant under a generated name, shared with any identical one already added:
   * layers ask for `axes = [1]` or `1.0` many times and the model keeps one copy.
   */
  constant(data: InitializerData, dims: readonly number[], hint = 'const'): string {
    const small = data.length <= DEDUP_MAX_ELEMENTS;
    const key = small ? `${dataTypeOf(data)}|${dims.join(',')}|${Array.from(data, String).join(',')}` : '';
    const known = key ? this.#constants.get(key) : undefined;
    if (known !== undefined) return known;
    const name = this.initializer(this.freshName(hint), data, dims);
    if (key) this.#constants.set(key, name);
    return name;
  }

  /**
   * Adds a node; returns its output names. `outputs` is a list of names to give them, or how
   * many auto-named outputs the op has (default 1). An input '' marks an omitted optional one.
   */
  node(opType: string, inputs: readonly string[], attrs?: Attrs, outputs: readonly string[] | number = 1): string[] {
    const index = this.#nodes.length;
    const nodeName = this.freshName(opType);
    const where = `node ${nodeName}`;
    if (!this.#allowedOps.has(opType)) {
      throw new OnnxUnsupportedOpError(`${where}.opType`, opType, ONNX_DEFAULTS.portableOps);
    }
    inputs.forEach((name, i) => {
      if (name !== '' && !this.#defined.has(name)) throw new OnnxUnknownNameError(`${where}.inputs[${i}]`, name);
    });
    const attributes = toProtoAttributes(attrs, where);
    let outNames: string[];
    if (typeof outputs === 'number') {
      if (!Number.isInteger(outputs) || outputs < 1) {
        throw new OnnxGraphError(`${where}.outputs`, `${outputs} is not a positive output count`);
      }
      outNames = Array.from({ length: outputs }, (_, i) => this.freshName(i === 0 ? nodeName : `${nodeName}_${i}`));
    } else {
      outNames = [...outputs];
      if (outNames.length === 0) throw new OnnxGraphError(`${where}.outputs`, 'a node needs at least one output');
    }
    outNames.forEach((name, i) => {
      this.#checkFree(name, `${where}.outputs[${i}]`);
      if (outNames.indexOf(name) !== i) throw new OnnxDuplicateNameError(`${where}.outputs[${i}]`, name);
    });
    for (const name of outNames) {
      this.#defined.add(name);
      this.#producers.set(name, index);
    }
    this.#nodeNames.add(nodeName);
    this.#nodes.push({ name: nodeName, opType, inputs: [...inputs], outputs: outNames, attributes });
    return outNames;
  }

  /**
   * Declares a graph output. With `from`, the value `from` becomes the output `name`: a node's
   * output is renamed in place (no extra node); an input or initializer goes through Identity.
   */
  output(name: string, type: OnnxElemType, dims: readonly OnnxDim[], from?: string): string {
    const field = `output "${name}"`;
    checkElemType(type, `${field}.type`);
    checkDims(dims, `${field}.dims`, true);
    if (this.#outputs.some((o) => o.name === name)) throw new OnnxDuplicateNameError(field, name);
    if (from !== undefined && from !== name) {
      if (!this.#defined.has(from)) throw new OnnxUnknownNameError(`${field}.from`, from);
      const producer = this.#producers.get(from);
      const isOutput = this.#outputs.some((o) => o.name === from);
      if (producer !== undefined && !isOutput) this.#rename(from, name, producer, field);
      else this.node('Identity', [from], undefined, [name]);
    } else if (!this.#defined.has(name)) {
      throw new OnnxUnknownNameError(field, name);
    }
    this.#outputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** `prefix` if no value or node uses it yet, else `prefix_1`, `prefix_2`, ... */
  freshName(prefix: string): string {
    const free = (s: string) => !this.#defined.has(s) && !this.#nodeNames.has(s);
    if (free(prefix)) return prefix;
    for (let k = 1; ; k++) if (free(`${prefix}_${k}`)) return `${prefix}_${k}`;
  }

  /**
   * Reserves a prefix for one layer's initializers ('dense', 'dense_1', ...), so two layers of
   * a kind never interleave their weight names.
   */
  scope(kind: string): string {
    let name = kind;
    for (let k = 1; this.#scopes.has(name); k++) name = `${kind}_${k}`;
    this.#scopes.add(name);
    return name;
  }

  /** The graph's inputs and outputs as declared: what a release manifest lists for the model. */
  signature(): { inputs: OnnxValueSpec[]; outputs: OnnxValueSpec[] } {
    const copy = (v: OnnxValueSpec): OnnxValueSpec => ({ ...v, dims: [...v.dims] });
    return { inputs: this.#inputs.map(copy), outputs: this.#outputs.map(copy) };
  }

  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Serialises the model (ModelProto bytes), ready for `InferenceSession.create`. */
  toBytes(options: ToBytesOptions): Uint8Array {
    if (options.opset !== ONNX_DEFAULTS.opset) {
      const why = `the layers are written for opset ${ONNX_DEFAULTS.opset}`;
      throw new OnnxGraphError('opset', `${String(options.opset)} is not supported; ${why}`);
    }
    if (this.#outputs.length === 0) {
      throw new OnnxGraphError('outputs', 'the graph has no outputs; declare them with output()');
    }
    // Every export passes here: no model leaves the pipeline that a default WebGPU device refuses.
    checkDeviceLimits(this.#nodes);
    const info = (v: OnnxValueSpec): ProtoValueInfo => ({ name: v.name, elemType: ELEM_CODES[v.type], dims: v.dims });
    return encodeModel({
      irVersion: ONNX_DEFAULTS.irVersion,
      opset: options.opset,
      producerName: options.producer ?? ONNX_DEFAULTS.producerName,
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      metadata: Object.entries(options.metadata ?? {}),
      graph: {
        name: this.name,
        nodes: this.#nodes,
        initializers: this.#initializers,
        inputs: this.#inputs.map(info),
        outputs: this.#outputs.map(info),
      },
    });
  }

  /** Throws unless `name` is a usable, unused value name. Callers add it once all checks pass. */
  #checkFree(name: string, field: string): void {
    if (typeof name !== 'string' || name === '') throw new OnnxGraphError(field, 'a value needs a non-empty name');
    if (this.#defined.has(name)) throw new OnnxDuplicateNameError(field, name);
  }

  #rename(from: string, to: string, producer: number, field: string): void {
    this.#checkFree(to, field);
    this.#defined.add(to);
    this.#defined.delete(from);
    this.#producers.delete(from);
    this.#producers.set(to, producer);
    const swap = (names: readonly string[]) => names.map((n) => (n === from ? to : n));
    for (let i = producer; i < this.#nodes.length; i++) {
      const n = this.#nodes[i]!;
      this.#nodes[i] = { ...n, inputs: swap(n.inputs), outputs: swap(n.outputs) };
    }
  }
}

function checkElemType(type: OnnxElemType, field: string): void {
  if (!Object.hasOwn(ELEM_CODES, type)) {
    throw new OnnxGraphError(field, `"${String(type)}" is not one of ${Object.keys(ELEM_CODES).join(', ')}`);
  }
}

function checkDims(dims: readonly OnnxDim[], field: string, allowBatch: boolean): void {
  if (!Array.isArray(dims)) throw new OnnxGraphError(field, 'must be an array');
  dims.forEach((d, i) => {
    if (allowBatch && (d === 'N' || d === 'U')) return;
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      const allowed = allowBatch ? "a non-negative integer, 'N' or 'U'" : 'a non-negative integer';
      throw new OnnxGraphError(`${field}[${i}]`, `${String(d)} is not ${allowed}`);
    }
  });
}

function dataTypeOf(data: InitializerData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof Int32Array) return DataType.INT32;
  return DataType.INT64;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** TensorProto.raw_data is little-endian whatever the host; always a fresh copy. */
function littleEndianBytes(data: InitializerData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST) return bytes.slice();
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  data.forEach((x: number | bigint, i: number) => {
    if (typeof x === 'bigint') dv.setBigInt64(i * 8, x, true);
    else if (data instanceof Float32Array) dv.setFloat32(i * 4, x, true);
    else dv.setInt32(i * 4, x, true);
  });
  return out;
}
