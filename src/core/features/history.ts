/**
 * History pooling: which of the user's past interactions the user tower sees, and with what
 * weight. The model does the pooling itself (a weighted sum of embeddings); this file decides
 * the ids and weights, which is where train/serve skew would otherwise creep in (recency is
 * relative to `now`, watch fractions are floored, event types weighted).
 */
import type { EventType } from '../events.ts';
import type { CategoricalFeature, HistoryFeature, HistoryShareFeature, MultiCategoricalFeature } from './spec.ts';
import { encodeCategorical, encodeMultiCategorical } from './transforms.ts';

export interface HistoryEntry {
  /** The item's fields, as the item feature named by the history feature reads them (e.g. `id`). */
  item: Readonly<Record<string, unknown>>;
  type: EventType;
  /** When it happened, in milliseconds since the epoch. */
  at: number;
  /** Seconds watched / duration, in [0, 1]; absent means unknown and counts as 1. */
  watchFraction?: number;
}

/** Positive signals only, unless the spec says otherwise. */
export const DEFAULT_HISTORY_EVENT_WEIGHTS: Readonly<Partial<Record<EventType, number>>> = Object.freeze({
  click: 1,
  watch: 1,
  like: 1,
});

const DAY_MS = 86_400_000;

type Weighting = HistoryFeature['weighting'];

/**
 * The entries a history feature keeps and their raw weights, newest first: entries whose event
 * type has a weight and that `accept` takes, the most recent `maxLength` of them. The weights
 * (event × watch fraction × recency, or 1 for plain means) are not normalised.
 */
export function selectHistory(
  weighting: Weighting,
  maxLength: number,
  weighted: boolean,
  entries: readonly HistoryEntry[],
  now: number,
  accept: (e: HistoryEntry) => boolean,
): { kept: HistoryEntry[]; weights: number[] } {
  const w = weighting;
  const eventWeights = w.events ?? DEFAULT_HISTORY_EVENT_WEIGHTS;
  const order = newestFirst(entries);
  const kept: HistoryEntry[] = [];
  const weights: number[] = [];
  for (const i of order) {
    if (kept.length >= maxLength) break;
    const e = entries[i]!;
    const eventWeight = eventWeights[e.type];
    if (eventWeight === undefined || eventWeight === 0 || !accept(e)) continue;
    let weight = 1;
    if (weighted) {
      weight = eventWeight;
      if (w.watchFraction) {
        const wf = e.watchFraction;
        const frac = wf === undefined || !Number.isFinite(wf) ? 1 : Math.min(Math.max(wf, 0), 1);
        weight *= Math.max(frac, w.minWatchFraction);
      }
      if (w.halfLifeDays !== undefined) {
        const ageDays = Math.max(0, now - e.at) / DAY_MS;
        weight *= Math.pow(0.5, ageDays / w.halfLifeDays);
      }
      if (w.halfLifeEvents !== undefined) weight *= Math.pow(0.5, kept.length / w.halfLifeEvents);
    }
    kept.push(e);
    weights.push(weight);
  }
  return { kept, weights };
}

function itemField(f: { source: string }): string {
  return f.source.slice('item.'.length);
}

/**
 * Writes the ids (most recent first, padded with 0) and weights (summing to 1 in absolute
 * value, 0 on padding) of one user's history into `ids` and `weights` (length maxLength).
 * Entries with an unknown item (id 0) are dropped before the most recent maxLength are taken,
 * so one missing item does not cost a slot.
 */
export function encodeHistory(
  f: HistoryFeature,
  itemFeature: CategoricalFeature,
  entries: readonly HistoryEntry[],
  now: number,
  hashSeed: number,
  ids: Int32Array,
  weights: Float32Array,
): void {
  ids.fill(0);
  weights.fill(0);
  const field = itemField(itemFeature);
  const idOf = (e: HistoryEntry) => encodeCategorical(itemFeature, e.item[field], hashSeed);
  const { kept, weights: raw } = selectHistory(f.weighting, f.maxLength, f.pooling === 'weighted-mean', entries, now, (e) => idOf(e) !== 0);
  let total = 0;
  for (const x of raw) total += Math.abs(x);
  kept.forEach((e, k) => {
    ids[k] = idOf(e);
    if (total > 0) weights[k] = raw[k]! / total;
  });
}

/**
 * Writes how the weighted history spreads over the values of `itemFeature` into `out`
 * (length = its cardinality, index 0 = unknown): each entry gives its weight, split evenly over
 * its item's values; the result sums to 1 in absolute value (all zeros for no history).
 */
export function encodeHistoryShare(
  f: HistoryShareFeature,
  itemFeature: CategoricalFeature | MultiCategoricalFeature,
  entries: readonly HistoryEntry[],
  now: number,
  hashSeed: number,
  out: Float32Array,
): void {
  out.fill(0);
  const field = itemField(itemFeature);
  const values = (e: HistoryEntry): Int32Array =>
    itemFeature.kind === 'multi-categorical'
      ? encodeMultiCategorical(itemFeature, e.item[field], hashSeed).filter((id) => id !== 0)
      : Int32Array.of(encodeCategorical(itemFeature, e.item[field], hashSeed)).filter((id) => id !== 0);
  const { kept, weights } = selectHistory(f.weighting, f.maxLength, true, entries, now, (e) => values(e).length > 0);
  let total = 0;
  kept.forEach((e, k) => {
    const ids = values(e);
    const share = weights[k]! / ids.length;
    for (const id of ids) out[id]! += share;
    total += Math.abs(weights[k]!);
  });
  if (total > 0) for (let j = 0; j < out.length; j++) out[j]! /= total;
}

/**
 * Indices of `entries`, newest first; entries with equal times keep log order (later in the log
 * = newer). Logs are usually appended in time order already: then walking backwards is that
 * order, no sort.
 */
export function newestFirst(entries: readonly HistoryEntry[]): number[] {
  return isChronological(entries) ? entries.map((_, i) => entries.length - 1 - i) : entries.map((_, i) => i).sort((a, b) => entries[b]!.at - entries[a]!.at || b - a);
}

function isChronological(entries: readonly HistoryEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i]!.at < entries[i - 1]!.at) return false;
  return true;
}

/** Weighted sum of `rows` vectors of length dim (row-major); what a pooling layer computes. */
export function poolVectors(vectors: Float32Array, weights: ArrayLike<number>, dim: number, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(dim);
  result.fill(0);
  const rows = Math.min(weights.length, Math.floor(vectors.length / dim));
  for (let r = 0; r < rows; r++) {
    const wr = weights[r]!;
    if (wr === 0) continue;
    const base = r * dim;
    for (let j = 0; j < dim; j++) result[j]! += wr * vectors[base + j]!;
  }
  return result;
}
