/**
 * The logistic-regression baseline's view of the feature spec: which weights exist, where they
 * sit in one flat parameter vector, and how each feature's tensor contributes to the logit.
 * It is the ranker's first layer with 1-d embeddings, so the baseline sees exactly the inputs
 * the ranker sees (same spec, same tensors from core), and the comparison is about the model.
 *
 *   categorical, bucketized  one weight per id (row 0 = missing has its own weight)
 *   multi-categorical        mean of the weights of the non-zero ids; 0 when there are none
 *   history                  Σ_l w_l · weight[id_l], sharing the item feature's weights
 *   numeric, dense           one weight per component
 */
import { featureCardinality, tensorLayout, type FeatureSpec, type FeatureTensor } from '../../core/features/index.ts';
import { BaselineInputError } from './errors.ts';

/** A block of the parameter vector owned by one feature. */
export interface WeightBlock {
  feature: string;
  offset: number;
  size: number;
}

/** How a part reads its tensors; numbers, so the training loop switches on a small integer. */
export const PART_ID = 0;
export const PART_MEAN_IDS = 1;
export const PART_WEIGHTED_IDS = 2;
export const PART_VALUES = 3;
type PartKind = typeof PART_ID | typeof PART_MEAN_IDS | typeof PART_WEIGHTED_IDS | typeof PART_VALUES;

interface PartPlan {
  kind: PartKind;
  feature: string;
  /** The id or value tensor; for history, the ids. */
  tensor: string;
  /** History only: the weights tensor. */
  weightsTensor?: string;
  type: 'int32' | 'float32';
  width: number;
  /** First weight of the block the part reads. */
  offset: number;
  /** For ids: the block's size, so every id must be in [0, rows). */
  rows?: number;
}

export interface LinearLayout {
  blocks: WeightBlock[];
  parts: PartPlan[];
  /** Total weights, bias excluded. */
  size: number;
}

/** Lays out the weights of `spec` in spec order: one block per feature that owns weights. */
export function linearLayout(spec: FeatureSpec): LinearLayout {
  const blocks: WeightBlock[] = [];
  const blockOf = new Map<string, WeightBlock>();
  let size = 0;
  for (const f of spec.features) {
    if (f.kind === 'history') continue;
    const n = f.kind === 'numeric' ? 1 : f.kind === 'dense' ? f.dim : f.kind === 'history-share' ? historyShareWidth(spec, f.item) : featureCardinality(f);
    const block = { feature: f.name, offset: size, size: n };
    blocks.push(block);
    blockOf.set(f.name, block);
    size += n;
  }
  const widths = new Map(tensorLayout(spec).map((t) => [t.tensor, t.width] as const));
  const parts: PartPlan[] = spec.features.map((f): PartPlan => {
    switch (f.kind) {
      case 'categorical':
      case 'bucketized': {
        const b = blockOf.get(f.name)!;
        return { kind: PART_ID, feature: f.name, tensor: f.name, type: 'int32', width: 1, offset: b.offset, rows: b.size };
      }
      case 'multi-categorical': {
        const b = blockOf.get(f.name)!;
        return { kind: PART_MEAN_IDS, feature: f.name, tensor: f.name, type: 'int32', width: f.maxLength, offset: b.offset, rows: b.size };
      }
      case 'history': {
        const b = blockOf.get(f.item)!;
        const tensor = `${f.name}:ids`;
        return {
          kind: PART_WEIGHTED_IDS,
          feature: f.name,
          tensor,
          weightsTensor: `${f.name}:weights`,
          type: 'int32',
          width: widths.get(tensor)!,
          offset: b.offset,
          rows: b.size,
        };
      }
      case 'numeric':
      case 'dense':
      case 'history-share': {
        const b = blockOf.get(f.name)!;
        return { kind: PART_VALUES, feature: f.name, tensor: f.name, type: 'float32', width: b.size, offset: b.offset };
      }
    }
  });
  return { blocks, parts, size };
}

/** A part with its tensors resolved to typed arrays; unused arrays are empty, keeping one shape. */
export interface BoundPart {
  kind: PartKind;
  width: number;
  offset: number;
  ids: Int32Array;
  values: Float32Array;
}

const NO_IDS = new Int32Array(0);
const NO_VALUES = new Float32Array(0);

/**
 * Checks `tensors` against the layout (present, dtype, [rows, width], ids inside their block,
 * values finite) and resolves each part to its arrays. Checked once here so the training loop
 * can index without bounds checks: an id past its block would silently train a neighbour's
 * weight. Returns the row count.
 */
export function bindTensors(
  layout: LinearLayout,
  tensors: Readonly<Record<string, FeatureTensor>>,
  field = 'tensors',
): { parts: BoundPart[]; rows: number } {
  let rows = -1;
  const get = (name: string, type: 'int32' | 'float32', width: number): FeatureTensor => {
    const at = `${field}["${name}"]`;
    const t = tensors[name];
    if (t === undefined) throw new BaselineInputError(at, 'is missing; build the tensors with the same feature spec');
    const want = type === 'int32' ? Int32Array : Float32Array;
    if (t.type !== type || !(t.data instanceof want)) {
      throw new BaselineInputError(at, `must be ${type} (${want.name}), got ${t.type} (${t.data.constructor.name})`);
    }
    if (t.dims[1] !== width || t.data.length !== t.dims[0] * width) {
      throw new BaselineInputError(at, `must be [N, ${width}] with N·${width} values, got dims [${t.dims.join(', ')}] and ${t.data.length} values`);
    }
    if (rows === -1) rows = t.dims[0];
    else if (t.dims[0] !== rows) throw new BaselineInputError(at, `has ${t.dims[0]} rows, other tensors have ${rows}`);
    return t;
  };
  const parts = layout.parts.map((p): BoundPart => {
    const main = get(p.tensor, p.type, p.width);
    if (p.type === 'int32') {
      const ids = main.data as Int32Array;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id < 0 || id >= p.rows!) throw new BaselineInputError(`${field}["${p.tensor}"][${i}]`, `id ${id} is outside [0, ${p.rows})`);
      }
      const values = p.weightsTensor === undefined ? NO_VALUES : (get(p.weightsTensor, 'float32', p.width).data as Float32Array);
      checkFinite(values, `${field}["${p.weightsTensor}"]`);
      return { kind: p.kind, width: p.width, offset: p.offset, ids, values };
    }
    const values = main.data as Float32Array;
    checkFinite(values, `${field}["${p.tensor}"]`);
    return { kind: p.kind, width: p.width, offset: p.offset, ids: NO_IDS, values };
  });
  if (rows === -1) throw new BaselineInputError(field, 'the feature spec names no tensor');
  return { parts, rows };
}

function checkFinite(values: Float32Array, at: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new BaselineInputError(`${at}[${i}]`, `must be finite, got ${values[i]}`);
  }
}

/** The logit of row r: bias + Σ over parts. The one forward pass, shared by training and predict. */
export function linearLogit(parts: readonly BoundPart[], theta: Float64Array, bias: number, r: number): number {
  let z = bias;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const w = part.width;
    const off = part.offset;
    const base = r * w;
    switch (part.kind) {
      case PART_ID:
        z += theta[off + part.ids[r]!]!;
        break;
      case PART_MEAN_IDS: {
        let s = 0;
        let c = 0;
        for (let l = 0; l < w; l++) {
          const id = part.ids[base + l]!;
          if (id !== 0) {
            s += theta[off + id]!;
            c++;
          }
        }
        if (c > 0) z += s / c;
        break;
      }
      case PART_WEIGHTED_IDS:
        for (let l = 0; l < w; l++) {
          const id = part.ids[base + l]!;
          if (id !== 0) z += part.values[base + l]! * theta[off + id]!;
        }
        break;
      case PART_VALUES:
        for (let j = 0; j < w; j++) z += part.values[base + j]! * theta[off + j]!;
        break;
    }
  }
  return z;
}

/** Width of a history-share tensor: the cardinality of the item feature it spreads over. */
function historyShareWidth(spec: FeatureSpec, item: string): number {
  return featureCardinality(spec.features.find((g) => g.name === item)!);
}
