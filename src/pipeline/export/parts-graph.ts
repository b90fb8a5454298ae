/**
 * The first layer of every exported model: graph inputs for the feature tensors, one initializer
 * per embedding table, and x = Concat(parts) exactly as the trainer's embedParts computes it
 * (feature-parts.ts; the contract is spelled out in weights.ts).
 *
 * A table is stored once however many parts read it: the item id feature and a history of
 * items share `embedding.item_id`, which is most of the model's bytes.
 */
import { USER_INDEX_TENSOR } from '../../core/features/index.ts';
import { concat, embeddingLookup, maskedMeanPool, weightedSumPool, type OnnxGraph, type XSplit } from '../onnx/index.ts';
import type { FeaturePart, ModelInput, TableSpec, WeightMap } from '../train/index.ts';
import { EXPORT_DEFAULTS } from './defaults.ts';
import { OnnxExportError } from './errors.ts';
import { bindInputs, type InputBinding } from './input-names.ts';
import { weightOf } from './read-weights.ts';

export interface PartsSource {
  parts: readonly FeaturePart[];
  /** The tensors the parts read (the graph declares exactly these, in this order). */
  inputs: readonly ModelInput[];
  tables: readonly TableSpec[];
  weights: WeightMap;
  /** Columns of x the parts must tile: x0Width, or a tower's input width. */
  width: number;
  /** Names the inputs must not take (the graph's outputs). */
  reserved: readonly string[];
  /** Where `parts` lives in the weights object, for errors: `parts`, `userParts`. */
  field: string;
  /**
   * Inputs (tensor names) that come per user, [U, width], with USER_INDEX_TENSOR [N, 1] saying
   * each row's user (buildFeatureTensors' perUser option). Their parts are computed once per
   * user and gathered to the rows: a feed ranks 500 candidates of one user, and pooling its
   * history 500 times was most of the ranker's time. Default: none (every input [N, width]).
   */
  perUser?: ReadonlySet<string>;
}

export interface PartsGraph {
  /** x [N, width]. */
  x: string;
  inputs: InputBinding[];
  /**
   * With per-user inputs: x's columns in two groups, the per-row parts [N, ·] and the per-user
   * parts before they are gathered to the rows [U, ·], so a layer on x can compute its per-user
   * share once per user (splitAffine in src/pipeline/onnx/layers.ts). Null without them.
   */
  split: XSplit | null;
}

export function buildPartsGraph(g: OnnxGraph, src: PartsSource): PartsGraph {
  checkTiling(src.parts, src.width, src.field);
  const perUser = new Set(src.inputs.filter((i) => src.perUser?.has(i.name)).map((i) => i.name));
  const tensors = src.inputs.map((i) => i.name);
  if (perUser.size > 0) tensors.push(USER_INDEX_TENSOR);
  const bindings = bindInputs(tensors, src.reserved);
  const declared = new Map<string, { name: string; input: ModelInput }>();
  src.inputs.forEach((input, i) => {
    const name = bindings[i]!.name;
    g.input(name, input.dtype, [perUser.has(input.name) ? EXPORT_DEFAULTS.userDim : EXPORT_DEFAULTS.batchDim, input.width]);
    declared.set(input.name, { name, input });
  });
  // Each row's user, [N], read once by every per-user part.
  const userIndex = perUser.size > 0 ? g.node('Squeeze', [g.input(bindings.at(-1)!.name, 'int32', [EXPORT_DEFAULTS.batchDim, 1]), g.constant(BigInt64Array.of(1n), [1], 'axes_1')])[0]! : null;
  /** A part's block, [U, w] when it reads per-user inputs (all of them), else [N, w]. */
  const blockOf = (block: string, reads: readonly string[], field: string): Block => {
    const users = reads.filter((t) => perUser.has(t));
    if (users.length === 0) return { x: block, perUser: false };
    if (users.length !== reads.length) throw new OnnxExportError(field, `reads per-user inputs (${users.join(', ')}) beside per-row ones (${reads.filter((t) => !perUser.has(t)).join(', ')})`);
    return { x: block, perUser: true };
  };
  /** The graph input of `tensor`, which must be `dtype` and `width` wide. */
  const read = (tensor: string, dtype: ModelInput['dtype'], width: number, field: string): string => {
    const d = declared.get(tensor);
    if (d === undefined) throw new OnnxExportError(field, `reads "${tensor}", which is not among the inputs`);
    if (d.input.dtype !== dtype || d.input.width !== width) {
      throw new OnnxExportError(field, `"${tensor}" must be ${dtype} [N, ${width}], the inputs list it as ${d.input.dtype} [N, ${d.input.width}]`);
    }
    return d.name;
  };
  const tables = tableInitializers(g, src);
  const blocks = src.parts.map((p, i): Block => {
    const field = `${src.field}[${i}]`;
    switch (p.kind) {
      case 'embedding': {
        // Ids come as [N, 1] (buildFeatureTensors); Gather on them would give [N, 1, e].
        const ids = g.node('Squeeze', [read(p.input, 'int32', 1, `${field}.input`), g.constant(BigInt64Array.of(1n), [1], 'axes_1')])[0]!;
        return blockOf(embeddingLookup(g, ids, tables.get(p.table)!), [p.input], field);
      }
      case 'masked-mean':
        return blockOf(maskedMeanPool(g, read(p.input, 'int32', p.length, `${field}.input`), tables.get(p.table)!), [p.input], field);
      case 'weighted-sum': {
        const ids = read(p.ids, 'int32', p.length, `${field}.ids`);
        return blockOf(weightedSumPool(g, ids, read(p.weights, 'float32', p.length, `${field}.weights`), tables.get(p.table)!), [p.ids, p.weights], field);
      }
      case 'numeric':
      case 'dense':
        return blockOf(read(p.input, 'float32', p.width, `${field}.input`), [p.input], field);
    }
  });
  // x: every block as rows, per-user ones gathered ([U, w] -> [N, w]).
  const rows = blocks.map((b) => (b.perUser ? g.node('Gather', [b.x, userIndex!], { axis: 0 })[0]! : b.x));
  const x = rows.length === 1 ? rows[0]! : concat(g, rows, 1);
  return { x, inputs: bindings, split: userIndex === null ? null : splitOf(g, src.parts, blocks, userIndex) };
}

interface Block {
  x: string;
  perUser: boolean;
}

/** x's columns by group: the per-row blocks side by side, and the per-user ones. */
function splitOf(g: OnnxGraph, parts: readonly FeaturePart[], blocks: readonly Block[], userIndex: string): XSplit | null {
  const group = (perUser: boolean) => {
    const at = blocks.flatMap((b, i) => (b.perUser === perUser ? [i] : []));
    const cols = at.flatMap((i) => Array.from({ length: parts[i]!.width }, (_, k) => parts[i]!.offset + k));
    const xs = at.map((i) => blocks[i]!.x);
    return { x: xs.length === 0 ? null : xs.length === 1 ? xs[0]! : concat(g, xs, 1), cols };
  };
  const rows = group(false);
  const users = group(true);
  // Only per-user parts, or none: nothing to split.
  if (rows.x === null || users.x === null) return null;
  return { rows: { x: rows.x, cols: rows.cols }, users: { x: users.x, cols: users.cols }, userIndex };
}

/** Each table the parts read, added once, named `embedding/<feature>`; checked against the parts. */
function tableInitializers(g: OnnxGraph, src: PartsSource): Map<string, string> {
  const specs = new Map(src.tables.map((t) => [t.feature, t] as const));
  const out = new Map<string, string>();
  src.parts.forEach((p, i) => {
    if (p.kind !== 'embedding' && p.kind !== 'masked-mean' && p.kind !== 'weighted-sum') return;
    const field = `${src.field}[${i}]`;
    const t = specs.get(p.table);
    if (!t) throw new OnnxExportError(`${field}.table`, `"${p.table}" is not among the tables (${[...specs.keys()].join(', ')})`);
    if (p.width !== t.dim) throw new OnnxExportError(`${field}.width`, `must equal table "${t.feature}"'s dim ${t.dim}, got ${p.width}`);
    if (out.has(t.feature)) return;
    const w = weightOf(src.weights, `embedding.${t.feature}`, [t.rows, t.dim]);
    out.set(t.feature, g.initializer(g.freshName(`embedding/${t.feature}`), w.data, w.dims));
  });
  return out;
}

/** Parts must be listed in column order and cover [0, width) without gaps: Concat keeps order. */
function checkTiling(parts: readonly FeaturePart[], width: number, field: string): void {
  if (parts.length === 0) throw new OnnxExportError(field, 'has no parts; a model reads at least one feature');
  let at = 0;
  parts.forEach((p, i) => {
    if (p.offset !== at) throw new OnnxExportError(`${field}[${i}].offset`, `must be ${at} (the end of the previous part), got ${p.offset}`);
    if (!Number.isInteger(p.width) || p.width < 1) throw new OnnxExportError(`${field}[${i}].width`, `must be an integer ≥ 1, got ${p.width}`);
    at += p.width;
  });
  if (at !== width) throw new OnnxExportError(field, `cover ${at} columns, the layout says ${width}`);
}
