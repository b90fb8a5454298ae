/**
 * Between feature tensors (src/core/features) and onnxruntime: the manifest's bindings say which
 * feature tensor feeds which graph input, and which graph output plays which role. Names are
 * always read from the bindings, never guessed (`history:ids` is fed as `history__ids`).
 * Mismatches are caught here with the binding named, before onnxruntime reports them by a
 * graph-internal name.
 */
import * as ort from 'onnxruntime-web';
import { ValidationError } from '../../src/core/errors.ts';
import { USER_INDEX_TENSOR, type FeatureTensor } from '../../src/core/features/index.ts';
import type { ModelRef } from '../../src/core/release/index.ts';

export type OutputRole = keyof ModelRef['outputs'];
export type ModelOutputs = Partial<Record<OutputRole, Float32Array>>;

type Metadata = readonly ort.InferenceSession.ValueMetadata[];
/** The graph's input or output names (all checkBindings needs; the JS runtime has no metadata). */
type Names = readonly { name: string }[];

/** Checks, once per session, that the bindings and the graph name the same inputs and outputs. */
export function checkBindings(model: ModelRef, inputs: Names, outputs: Names): void {
  const graphInputs = new Set(inputs.map((m) => m.name));
  model.inputs.forEach((b, i) => {
    if (!graphInputs.has(b.name)) {
      throw new ValidationError(`inputs[${i}].name`, `"${b.name}" is not an input of model "${model.artifact}"; it has ${[...graphInputs].join(', ')}`);
    }
  });
  const bound = new Set(model.inputs.map((b) => b.name));
  const unbound = [...graphInputs].filter((n) => !bound.has(n));
  if (unbound.length > 0) throw new ValidationError('inputs', `model "${model.artifact}" needs inputs that no binding feeds: ${unbound.join(', ')}`);
  const graphOutputs = new Set(outputs.map((m) => m.name));
  for (const [role, name] of Object.entries(model.outputs)) {
    if (name !== undefined && !graphOutputs.has(name)) {
      throw new ValidationError(`outputs.${role}`, `"${name}" is not an output of model "${model.artifact}"; it has ${[...graphOutputs].join(', ')}`);
    }
  }
}

/**
 * The session's feeds: each binding's feature tensor as its graph input, zero-copy (onnxruntime
 * copies into the wasm heap itself). int32 stays int32; a tensor whose type or width differs from
 * the graph's is refused naming the feature tensor. Returns the row count too.
 */
export function toOrtInputs(model: ModelRef, inputs: Metadata, tensors: Readonly<Record<string, FeatureTensor>>): { feeds: Record<string, ort.Tensor>; rows: number } {
  const feeds: Record<string, ort.Tensor> = {};
  const { bound, rows } = bindTensors(model, inputs, tensors);
  for (const [name, t] of bound) feeds[name] = t.data instanceof Int32Array ? new ort.Tensor('int32', t.data, t.dims) : new ort.Tensor('float32', t.data, t.dims);
  return { feeds, rows };
}

/**
 * Each binding's feature tensor under its graph input name, checked; the row count too.
 *
 * Per-user tensors (buildFeatureTensors' perUser option: USER_INDEX_TENSOR [N, 1] among the
 * tensors, user features [U, width]) go as they are to a model that binds USER_INDEX_TENSOR;
 * for a model that does not (a release from before per-user inputs, a model trained elsewhere),
 * each row gets its user's values, [N, width], as it always did. Tensors of one row per row
 * (no USER_INDEX_TENSOR) go to a model with per-user inputs as one user per row.
 */
export function bindTensors(model: ModelRef, inputs: Metadata | null, tensors: Readonly<Record<string, FeatureTensor>>): { bound: Array<[string, FeatureTensor]>; rows: number } {
  const meta = new Map((inputs ?? []).map((m) => [m.name, m] as const));
  const index = tensors[USER_INDEX_TENSOR];
  const rows = index ? index.dims[0] : (model.inputs.map((b) => tensors[b.tensor]?.dims[0]).find((n) => n !== undefined) ?? 0);
  const users = index ? userCount(index) : rows;
  const takesUsers = model.inputs.some((b) => b.tensor === USER_INDEX_TENSOR);
  const bound: Array<[string, FeatureTensor]> = [];
  model.inputs.forEach((b, i) => {
    const field = `tensors["${b.tensor}"]`;
    // Tensors of one row per row, to a model with per-user inputs: each row is its own user.
    let t = b.tensor === USER_INDEX_TENSOR && !index ? identityIndex(rows) : tensors[b.tensor];
    if (!t) throw new ValidationError(field, `missing: model "${model.artifact}" feeds it to input "${b.name}" (inputs[${i}])`);
    const [n, width] = t.dims;
    if (t.data.length !== n * width) throw new ValidationError(field, `has ${t.data.length} values for dims [${n}, ${width}]`);
    if (n !== rows) {
      if (n !== users) throw new ValidationError(field, `has ${n} rows, the call has ${rows}${index ? ` rows of ${users} users` : ''}`);
      // A per-user tensor: as it is for a model with per-user inputs, one row per row otherwise.
      if (!takesUsers) t = perRow(t, index!);
    }
    const m = meta.get(b.name);
    if (m?.isTensor) {
      if (m.type !== t.type) throw new ValidationError(field, `is ${t.type}, input "${b.name}" takes ${m.type}`);
      const graphWidth = m.shape[1];
      if (typeof graphWidth === 'number' && graphWidth !== width) throw new ValidationError(field, `is ${width} wide, input "${b.name}" takes ${graphWidth}`);
    }
    bound.push([b.name, t]);
  });
  return { bound, rows };
}

/** Row r is user r: [N, 1]. */
function identityIndex(rows: number): FeatureTensor {
  const data = new Int32Array(rows);
  for (let r = 0; r < rows; r++) data[r] = r;
  return { type: 'int32', dims: [rows, 1], data };
}

/** 1 + the largest user index (every index checked to be one of the per-user rows). */
function userCount(index: FeatureTensor): number {
  let max = -1;
  for (const u of index.data) {
    if (!Number.isInteger(u) || u < 0) throw new ValidationError(`tensors["${USER_INDEX_TENSOR}"]`, `must hold row indices (integers ≥ 0), got ${u}`);
    if (u > max) max = u;
  }
  return max + 1;
}

/** Row r of the result is row index[r] of the per-user tensor `t`. */
function perRow(t: FeatureTensor, index: FeatureTensor): FeatureTensor {
  const width = t.dims[1];
  const n = index.dims[0];
  const data = t.type === 'int32' ? new Int32Array(n * width) : new Float32Array(n * width);
  for (let r = 0; r < n; r++) {
    const u = index.data[r]!;
    data.set(t.data.subarray(u * width, (u + 1) * width), r * width);
  }
  return { type: t.type, dims: [n, width], data };
}

/** The role -> Float32Array view of a run's results; all heads are float32 in our exports. */
export function readOutputs(model: ModelRef, results: ort.InferenceSession.ReturnType): ModelOutputs {
  const out: ModelOutputs = {};
  for (const [role, name] of Object.entries(model.outputs) as Array<[OutputRole, string | undefined]>) {
    if (name === undefined) continue;
    const t = results[name];
    if (!t || !(t.data instanceof Float32Array)) {
      throw new ValidationError(`outputs.${role}`, `output "${name}" of model "${model.artifact}" is ${t ? t.type : 'missing'}, not float32`);
    }
    out[role] = t.data;
  }
  return out;
}
