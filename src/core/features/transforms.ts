/**
 * The scalar transforms of the feature spec. Each takes a raw value as it comes from an item,
 * a user or a context object and returns what the model sees. Missing values (undefined, null,
 * NaN, '') never throw: they map to the documented missing output, because real catalogs have
 * holes and a feed must still render.
 */
import type {
  BucketizedFeature,
  CategoricalFeature,
  MultiCategoricalFeature,
  NumericFeature,
} from './spec.ts';
import { hashBucket } from './hash.ts';

/** Vocabulary lookups are hot on the device (500 candidates per feed): build each map once. */
const vocabIndex = new WeakMap<readonly string[], Map<string, number>>();

function indexOf(vocab: readonly string[], value: string): number {
  let map = vocabIndex.get(vocab);
  if (!map) {
    map = new Map(vocab.map((v, i) => [v, i + 1]));
    vocabIndex.set(vocab, map);
  }
  return map.get(value) ?? 0;
}

function isMissing(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '' || (typeof raw === 'number' && Number.isNaN(raw));
}

/** A categorical value -> 1..n (vocab order, or hash bucket); 0 for missing or unknown. */
export function encodeCategorical(
  f: Pick<CategoricalFeature, 'vocab' | 'hashBuckets'>,
  raw: unknown,
  hashSeed = 0,
): number {
  if (isMissing(raw)) return 0;
  const value = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
  if (value === null) return 0;
  if (f.vocab) return indexOf(f.vocab, value);
  return hashBucket(value, f.hashBuckets!, hashSeed);
}

/**
 * A list of categorical values -> exactly maxLength ids, in input order, unknown values
 * dropped, then padded with 0. A string is split on '|' (the CSV convention for categories).
 */
export function encodeMultiCategorical(f: MultiCategoricalFeature, raw: unknown, hashSeed = 0, out?: Int32Array): Int32Array {
  const ids = out ?? new Int32Array(f.maxLength);
  ids.fill(0);
  const values: readonly unknown[] = Array.isArray(raw)
    ? raw
    : typeof raw === 'string' && raw !== ''
      ? raw.split('|')
      : [];
  let n = 0;
  for (const v of values) {
    if (n >= f.maxLength) break;
    const id = encodeCategorical(f, v, hashSeed);
    if (id !== 0) ids[n++] = id;
  }
  return ids;
}

function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '') return Number(raw);
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  return NaN;
}

const DAY_MS = 86_400_000;

/**
 * Age in days at `now` of a time in ms since the epoch, never negative (an item dated in the
 * future, by clock skew, is new, not negative-aged).
 */
export function ageInDays(timeMs: number, now: number): number {
  return Math.max(0, now - timeMs) / DAY_MS;
}

/** Age (if asked), log1p, normalisation and clipping, in that order; `default` for a missing value. */
export function encodeNumeric(f: NumericFeature, raw: unknown, now = Number.NaN): number {
  let x = toNumber(raw);
  if (f.ageDays) x = ageInDays(x, now);
  if (!Number.isFinite(x)) return f.default;
  if (f.log1p) x = Math.log1p(Math.max(x, 0));
  const n = f.normalize;
  if (n?.type === 'standardize') x = (x - n.mean) / n.std;
  else if (n?.type === 'minmax') x = (x - n.min) / (n.max - n.min);
  if (f.clip) x = Math.min(Math.max(x, f.clip[0]), f.clip[1]);
  // Model inputs are float32: round here so every consumer sees the same number.
  return Math.fround(x);
}

/** 1 + (number of boundaries ≤ x), found by binary search; 0 for missing. */
export function encodeBucketized(f: BucketizedFeature, raw: unknown, now = Number.NaN): number {
  let x = toNumber(raw);
  if (f.ageDays) x = ageInDays(x, now);
  if (!Number.isFinite(x)) return 0;
  if (f.log1p) x = Math.log1p(Math.max(x, 0));
  const b = f.boundaries;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return 1 + lo;
}
