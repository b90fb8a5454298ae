/**
 * The shapes of a model's first layer (tables and parts), apart from the code that plans and runs
 * them (feature-parts.ts, embed-x0.ts), which both read them: one file each way, no import circle.
 */
import type { ModelInput } from './model-inputs.ts';

/** An embedding table: weight `embedding.<feature>`, [rows, dim]. */
export interface TableSpec {
  feature: string;
  rows: number;
  dim: number;
}

interface PartBase {
  feature: string;
  /** First column of this part in x0 (or in the tower's input). */
  offset: number;
  /** Columns it contributes. */
  width: number;
}

/**
 * How one feature enters x0:
 * - `embedding` (categorical, bucketized): Gather(table, ids) -> [N, e];
 * - `masked-mean` (multi-categorical): mean of the rows of the non-zero ids, 0 when none;
 * - `weighted-sum` (history): Σ_l w_l · table[ids_l], the weights already normalised;
 * - `numeric` [N, 1] and `dense` [N, d]: the input as is.
 */
export type FeaturePart =
  | (PartBase & { kind: 'embedding'; input: string; table: string })
  | (PartBase & { kind: 'masked-mean'; input: string; table: string; length: number })
  | (PartBase & { kind: 'weighted-sum'; ids: string; weights: string; table: string; length: number })
  | (PartBase & { kind: 'numeric'; input: string })
  | (PartBase & { kind: 'dense'; input: string });

export interface PartsLayout {
  parts: FeaturePart[];
  /** Total columns (D). */
  width: number;
  /** The tensors these parts read, in part order. */
  inputs: ModelInput[];
}
