/**
 * From the feature spec to a model's first layer: which embedding tables exist and how each
 * feature becomes a block of columns ("part") of the concatenated input x0. The DCN ranker and
 * both towers of the retrieval model use this one implementation, and the exported weights
 * carry the plan, so the ONNX exporter rebuilds the same x0 from the same list.
 *
 * Parts follow spec order (not the order a caller lists the features in), so a model's input
 * layout depends only on the spec and the set of features it reads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { featureCardinality, type Feature, type FeatureSpec } from '../../core/features/index.ts';
import { TrainConfigError } from './errors.ts';
import { embedX0 } from './embed-x0.ts';
import type { TableSource } from './lazy-adam.ts';
import type { ModelInput } from './model-inputs.ts';
import type { FeaturePart, PartsLayout, TableSpec } from './parts.ts';

export type { FeaturePart, PartsLayout, TableSpec } from './parts.ts';
import { uniformVariable } from './variables.ts';

export interface EmbeddingDims {
  embeddingDim: number;
  /** Per-feature overrides, by the name of the feature that owns the table. */
  embeddingDims?: Readonly<Record<string, number>>;
}

function featureMap(spec: FeatureSpec): Map<string, Feature> {
  return new Map(spec.features.map((f) => [f.name, f] as const));
}

/** The feature whose table a feature reads: itself, or a history's item feature; null for none. */
function tableOwner(f: Feature): string | null {
  switch (f.kind) {
    case 'categorical':
    case 'multi-categorical':
    case 'bucketized':
      return f.name;
    case 'history':
      return f.item;
    default:
      return null;
  }
}

function checkNames(spec: FeatureSpec, names: readonly string[], field: string): Map<string, Feature> {
  const byName = featureMap(spec);
  if (names.length === 0) throw new TrainConfigError(field, 'must name at least one feature');
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (!byName.has(name)) {
      throw new TrainConfigError(`${field}[${i}]`, `unknown feature "${name}"; the spec has ${[...byName.keys()].join(', ')}`);
    }
    if (seen.has(name)) throw new TrainConfigError(`${field}[${i}]`, `feature "${name}" is listed twice`);
    seen.add(name);
  });
  return byName;
}

/**
 * The tables the features `names` need (one per owner, shared by a history and its item
 * feature), in spec order. Pass the union of a model's feature lists so towers share tables.
 */
export function planTables(spec: FeatureSpec, names: readonly string[], dims: EmbeddingDims, field = 'features'): TableSpec[] {
  const byName = featureMap(spec);
  const owners = new Set<string>();
  names.forEach((name, i) => {
    const f = byName.get(name);
    if (!f) throw new TrainConfigError(`${field}[${i}]`, `unknown feature "${name}"; the spec has ${[...byName.keys()].join(', ')}`);
    const owner = tableOwner(f);
    if (owner !== null) owners.add(owner);
  });
  const overrides = dims.embeddingDims ?? {};
  for (const [name, dim] of Object.entries(overrides)) {
    if (!Number.isInteger(dim) || dim < 1) throw new TrainConfigError(`embeddingDims.${name}`, `must be an integer ≥ 1, got ${dim}`);
  }
  if (!Number.isInteger(dims.embeddingDim) || dims.embeddingDim < 1) {
    throw new TrainConfigError('embeddingDim', `must be an integer ≥ 1, got ${dims.embeddingDim}`);
  }
  return spec.features
    .filter((f) => owners.has(f.name))
    .map((f) => ({ feature: f.name, rows: featureCardinality(f), dim: overrides[f.name] ?? dims.embeddingDim }));
}

/** The parts of the features `names`, in spec order, reading the tables `tables`. */
export function planParts(spec: FeatureSpec, names: readonly string[], tables: readonly TableSpec[], field = 'features'): PartsLayout {
  checkNames(spec, names, field);
  const wanted = new Set(names);
  const tableOf = new Map(tables.map((t) => [t.feature, t] as const));
  const parts: FeaturePart[] = [];
  const inputs: ModelInput[] = [];
  let offset = 0;
  const table = (owner: string): TableSpec => {
    const t = tableOf.get(owner);
    if (!t) throw new TrainConfigError(field, `no embedding table planned for "${owner}"`);
    return t;
  };
  for (const f of spec.features) {
    if (!wanted.has(f.name)) continue;
    let part: FeaturePart;
    switch (f.kind) {
      case 'categorical':
      case 'bucketized': {
        const t = table(f.name);
        part = { kind: 'embedding', feature: f.name, offset, width: t.dim, input: f.name, table: t.feature };
        inputs.push({ name: f.name, feature: f.name, dtype: 'int32', width: 1, rows: t.rows });
        break;
      }
      case 'multi-categorical': {
        const t = table(f.name);
        part = { kind: 'masked-mean', feature: f.name, offset, width: t.dim, input: f.name, table: t.feature, length: f.maxLength };
        inputs.push({ name: f.name, feature: f.name, dtype: 'int32', width: f.maxLength, rows: t.rows });
        break;
      }
      case 'history': {
        const t = table(f.item);
        const ids = `${f.name}:ids`;
        const weights = `${f.name}:weights`;
        part = { kind: 'weighted-sum', feature: f.name, offset, width: t.dim, ids, weights, table: t.feature, length: f.maxLength };
        inputs.push({ name: ids, feature: f.name, dtype: 'int32', width: f.maxLength, rows: t.rows });
        inputs.push({ name: weights, feature: f.name, dtype: 'float32', width: f.maxLength });
        break;
      }
      case 'numeric':
        part = { kind: 'numeric', feature: f.name, offset, width: 1, input: f.name };
        inputs.push({ name: f.name, feature: f.name, dtype: 'float32', width: 1 });
        break;
      case 'dense':
        part = { kind: 'dense', feature: f.name, offset, width: f.dim, input: f.name };
        inputs.push({ name: f.name, feature: f.name, dtype: 'float32', width: f.dim });
        break;
      case 'history-share': {
        // Shares over an item feature's values: a dense block as far as the model is concerned.
        const width = featureCardinality(byName(spec, f.item));
        part = { kind: 'dense', feature: f.name, offset, width, input: f.name };
        inputs.push({ name: f.name, feature: f.name, dtype: 'float32', width });
        break;
      }
    }
    parts.push(part);
    offset += part.width;
  }
  return { parts, width: offset, inputs };
}

/** Embedding tables, uniform in [-scale, scale], each from its own seeded stream. */
export function initTables(tables: readonly TableSpec[], seed: number, scale: number): Map<string, tf.Variable> {
  return new Map(tables.map((t) => [t.feature, uniformVariable([t.rows, t.dim], scale, seed, `embedding.${t.feature}`)] as const));
}

/**
 * x0 = Concat(parts, axis 1) [N, width]. Differentiable with respect to the tables. Ids may be
 * [N] or [N, 1] for single-id features, numeric values [N] or [N, 1]. One fused operation
 * (embed-x0.ts), with the numbers of the per-part chain it replaced.
 */
export function embedParts(
  layout: PartsLayout,
  tables: ReadonlyMap<string, TableSource>,
  inputs: Readonly<Record<string, tf.Tensor>>,
): tf.Tensor2D {
  return embedX0(layout, tables, inputs);
}

function byName(spec: FeatureSpec, name: string): Feature {
  return spec.features.find((f) => f.name === name)!;
}
