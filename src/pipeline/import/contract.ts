/**
 * The IO contract of a model trained elsewhere, checked against the feature spec before anything
 * is written: every graph input is fed by one feature tensor of the spec with its element type
 * and width, the batch dimension is free, the role outputs exist with the right type and width,
 * and every node is one that each device runtime runs within a default WebGPU device's limits.
 * Each failure names the file and the field; each pass adds a line to `checks`.
 */
import { tensorLayout, type FeatureSpec, type TensorLayout } from '../../core/features/index.ts';
import { onnxIdentifier } from '../export/index.ts';
import { createNodeSession, tensorsOfNode } from '../onnx/index.ts';
import type { TensorBinding } from '../release/index.ts';
import { IMPORT_DEFAULTS } from './defaults.ts';
import { ImportError } from './errors.ts';
import { ELEM_TYPE_NAMES, readOnnxModel, type ReadDim, type ReadModel, type ReadValue } from './onnx-read.ts';

export type ModelRole = 'ranker' | 'userTower';
export type OutputRole = 'pClick' | 'watchFraction' | 'userVector';

const ROLES: Readonly<Record<ModelRole, { required: OutputRole[]; optional: OutputRole[] }>> = {
  ranker: { required: ['pClick'], optional: ['watchFraction'] },
  userTower: { required: ['userVector'], optional: [] },
};
const ELEM = { int32: 6, float32: 1 } as const;

export interface ModelContractInput {
  /** The path as the user gave it: errors and checks name it. */
  file: string;
  bytes: Uint8Array;
  role: ModelRole;
  spec: FeatureSpec;
  /** Width of the user vector (the item embeddings' d). */
  embeddingDim: number;
  /** Graph input name -> feature tensor, where the names differ (`--bind`); others match by name. */
  bind?: Readonly<Record<string, string>>;
  /** Output role -> graph output name (`--output`); default the exporter's names, or the only output. */
  outputs?: Readonly<Partial<Record<OutputRole, string>>>;
}

export interface CheckedModel {
  inputs: TensorBinding[];
  outputs: Partial<Record<OutputRole, string>>;
  /** What was checked, one line each, for the command to print. */
  checks: string[];
}

export async function checkModelContract(o: ModelContractInput): Promise<CheckedModel> {
  const { file } = o;
  const model = readOnnxModel(o.bytes, file);
  const checks: string[] = [];
  checkVersions(model, file, checks);
  checkNodes(model, file, checks);
  const layout = tensorLayout(o.spec);
  const inputs = model.inputs.map((v, i) => bindInput(v, i, layout, o.bind ?? {}, file));
  checks.push(`inputs: ${inputs.map((b) => (b.name === b.tensor ? b.name : `${b.name} <- ${b.tensor}`)).join(', ')} (element type, [batch, width] as the feature spec builds them)`);
  const outputs = bindOutputs(model, o, checks);
  await checkLoads(o.bytes, file, inputs, outputs, checks);
  return { inputs, outputs, checks };
}

function checkVersions(m: ReadModel, file: string, checks: string[]): void {
  if (m.irVersion < IMPORT_DEFAULTS.minIrVersion) {
    throw new ImportError(file, 'ir_version', `${m.irVersion}; the device runtimes read IR ${IMPORT_DEFAULTS.minIrVersion} and later`);
  }
  const opset = m.opsets.get('');
  if (opset === undefined) throw new ImportError(file, 'opset_import', 'no opset for the default domain (ai.onnx)');
  if (opset < IMPORT_DEFAULTS.minOpset || opset > IMPORT_DEFAULTS.maxOpset) {
    throw new ImportError(
      file,
      'opset_import[ai.onnx]',
      `opset ${opset}; every device runtime reads opsets ${IMPORT_DEFAULTS.minOpset}-${IMPORT_DEFAULTS.maxOpset} (torch.onnx.export(..., opset_version=17) works)`,
    );
  }
  checks.push(`IR ${m.irVersion}, opset ${opset} (allowed ${IMPORT_DEFAULTS.minOpset}-${IMPORT_DEFAULTS.maxOpset})${m.producer ? `, written by ${m.producer}` : ''}`);
}

function checkNodes(m: ReadModel, file: string, checks: string[]): void {
  const allowed = IMPORT_DEFAULTS.operators;
  let widest = 0;
  m.nodes.forEach((n, i) => {
    const at = `graph.node[${i}]${n.name ? ` "${n.name}"` : ''}`;
    if (n.domain !== '' && n.domain !== 'ai.onnx') {
      throw new ImportError(file, `${at}.domain`, `operator ${n.domain}.${n.opType} is outside the default domain; the device runtimes run only ai.onnx operators`);
    }
    if (!allowed.includes(n.opType)) {
      throw new ImportError(file, `${at}.op_type`, `operator "${n.opType}" is not run by every device runtime (WebGPU, WASM, plain JS); allowed: ${allowed.join(', ')}`);
    }
    if (n.opType === 'Gather' && (n.ints.axis ?? 0) !== 0) {
      throw new ImportError(file, `${at}.attribute.axis`, `must be 0 (an embedding lookup), got ${n.ints.axis}`);
    }
    if (n.opType === 'Cast' && !IMPORT_DEFAULTS.castTo.includes(n.ints.to ?? 1)) {
      throw new ImportError(file, `${at}.attribute.to`, `casts to ${ELEM_TYPE_NAMES[n.ints.to ?? 0] ?? n.ints.to}; the device runtimes cast to float32, int32 or bool`);
    }
    const tensors = tensorsOfNode(n);
    if (tensors > IMPORT_DEFAULTS.maxTensorsPerNode) {
      throw new ImportError(
        file,
        at,
        `${n.opType} binds ${tensors} tensors (inputs + outputs); a WebGPU device with default limits binds at most ${IMPORT_DEFAULTS.maxTensorsPerNode} storage buffers per shader (split a wide Concat into a tree)`,
      );
    }
    widest = Math.max(widest, tensors);
  });
  let largest = 0;
  for (const [name, t] of m.initializers) {
    if (t.bytes > IMPORT_DEFAULTS.maxInitializerBytes) {
      throw new ImportError(
        file,
        `graph.initializer "${name}"`,
        `${t.bytes} bytes ([${t.dims.join(', ')}]); a WebGPU device with default limits binds at most ${IMPORT_DEFAULTS.maxInitializerBytes} bytes (maxStorageBufferBindingSize) per buffer`,
      );
    }
    largest = Math.max(largest, t.bytes);
  }
  const ops = [...new Set(m.nodes.map((n) => n.opType))].sort();
  checks.push(`${m.nodes.length} nodes, operators ${ops.join(', ')}: all run on WebGPU, WASM and plain JS`);
  checks.push(`WebGPU limits: at most ${widest} tensors per node (limit ${IMPORT_DEFAULTS.maxTensorsPerNode}), largest initializer ${largest} B (limit ${IMPORT_DEFAULTS.maxInitializerBytes})`);
}

function bindInput(v: ReadValue, i: number, layout: readonly TensorLayout[], bind: Readonly<Record<string, string>>, file: string): TensorBinding {
  const at = `graph.input[${i}] "${v.name}"`;
  const wanted = bind[v.name];
  const t = wanted !== undefined ? layout.find((l) => l.tensor === wanted) : (layout.find((l) => l.tensor === v.name) ?? layout.find((l) => onnxIdentifier(l.tensor) === v.name));
  if (!t) {
    const why = wanted !== undefined ? `--bind names "${wanted}", which is not a tensor of the feature spec` : 'no feature tensor of that name (or its identifier form, history:ids -> history__ids); bind it with --bind INPUT=TENSOR';
    throw new ImportError(file, at, `${why}; the spec has ${layout.map((l) => l.tensor).join(', ')}`);
  }
  if (v.elemType !== ELEM[t.type]) {
    throw new ImportError(file, `${at}.elem_type`, `is ${ELEM_TYPE_NAMES[v.elemType] ?? v.elemType}; the device feeds "${t.tensor}" as ${t.type} (export id inputs as int32, not int64)`);
  }
  checkDims(v.dims, [t.width], file, at, `"${t.tensor}"`);
  return { name: v.name, tensor: t.tensor };
}

/** dims must be [batch, width]: a free batch (symbolic or unset), a width equal to `width` or free. */
function checkDims(dims: ReadDim[] | null, widths: readonly number[], file: string, at: string, what: string): void {
  if (dims === null) throw new ImportError(file, `${at}.shape`, 'is missing; export with shapes (a dynamic batch axis and a fixed width)');
  const rank1 = widths[0] === 1 && dims.length === 1;
  if (dims.length !== 2 && !rank1) throw new ImportError(file, `${at}.shape`, `has rank ${dims.length}; ${what} is [batch, ${widths[0]}]`);
  if (typeof dims[0] === 'number' && dims[0] !== -1) {
    throw new ImportError(file, `${at}.shape[0]`, `is fixed at ${dims[0]}; the batch must be dynamic (torch.onnx.export(..., dynamic_axes={name: {0: "batch"}}))`);
  }
  const w = dims[1];
  if (!rank1 && typeof w === 'number' && w !== widths[0]) throw new ImportError(file, `${at}.shape[1]`, `is ${w}; ${what} has width ${widths[0]}`);
}

function bindOutputs(m: ReadModel, o: ModelContractInput, checks: string[]): Partial<Record<OutputRole, string>> {
  const { file, role } = o;
  const { required, optional } = ROLES[role];
  const out: Partial<Record<OutputRole, string>> = {};
  const names = m.outputs.map((v) => v.name);
  for (const r of [...required, ...optional]) {
    const given = o.outputs?.[r];
    let name: string | undefined;
    if (given !== undefined) {
      if (!names.includes(given)) throw new ImportError(file, 'graph.output', `--output ${r}=${given}: the model has no output "${given}"; it has ${names.join(', ')}`);
      name = given;
    } else if (names.includes(IMPORT_DEFAULTS.outputs[r])) name = IMPORT_DEFAULTS.outputs[r];
    else if (required.includes(r) && names.length === 1) name = names[0];
    if (name === undefined) {
      if (required.includes(r)) {
        throw new ImportError(file, 'graph.output', `no output for ${r}: name one with --output ${r}=NAME (the model has ${names.join(', ')})`);
      }
      continue;
    }
    const v = m.outputs.find((x) => x.name === name)!;
    const at = `graph.output "${name}"`;
    if (v.elemType !== ELEM.float32) throw new ImportError(file, `${at}.elem_type`, `is ${ELEM_TYPE_NAMES[v.elemType] ?? v.elemType}; ${r} must be float32`);
    checkDims(v.dims, [r === 'userVector' ? o.embeddingDim : 1], file, at, r === 'userVector' ? `the user vector (the embeddings' d = ${o.embeddingDim})` : r);
    out[r] = name;
  }
  checks.push(`outputs: ${Object.entries(out).map(([r, n]) => `${r} = ${n}`).join(', ')} (float32, [batch, ${role === 'userTower' ? o.embeddingDim : 1}])`);
  return out;
}

async function checkLoads(bytes: Uint8Array, file: string, inputs: readonly TensorBinding[], outputs: Partial<Record<OutputRole, string>>, checks: string[]): Promise<void> {
  let session: Awaited<ReturnType<typeof createNodeSession>>;
  try {
    session = await createNodeSession(bytes);
  } catch (err) {
    throw new ImportError(file, 'bytes', `onnxruntime cannot load the model: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const missing = inputs.find((b) => !session.inputNames.includes(b.name));
    if (missing) throw new ImportError(file, `graph.input "${missing.name}"`, 'onnxruntime does not list it as an input');
    const gone = Object.values(outputs).find((n) => !session.outputNames.includes(n));
    if (gone !== undefined) throw new ImportError(file, `graph.output "${gone}"`, 'onnxruntime does not list it as an output');
  } finally {
    await session.release();
  }
  checks.push('onnxruntime (WASM) loads it');
}
