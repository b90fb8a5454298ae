import { ValidationError } from '../errors.ts';
import { RERANK_DEFAULTS } from './defaults.ts';
import type { RerankOptions } from './types.ts';

/** RerankOptions with every default filled in and every value checked. */
export interface ResolvedRerankOptions {
  count: number;
  now: number;
  seen: ReadonlySet<string>;
  hidden: ReadonlySet<string>;
  seed: number;
  duplicateCosine: number;
  mmrLambda: number;
  maxPerCategory: number;
  freshnessHalfLifeDays: number;
  freshBoost: number;
  explorationSlots: number;
  userCategories: ReadonlyMap<string, number>;
  newUser: boolean;
  usualCategoryShare: number;
  popularQuantile: number;
  newWithinDays: number;
}

const NO_CATEGORIES: ReadonlyMap<string, number> = new Map();

/**
 * Checks `options` and fills in the defaults. Each error names the option (`count`,
 * `userCategories.Comedy`) and what it allows, so a caller can fix it without reading this file.
 */
export function resolveRerankOptions(options: RerankOptions): ResolvedRerankOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const count = integerAtLeast(options.count, 1, 'count');
  const now = finite(options.now, 'now');
  const seen = idSet(options.seen, 'seen');
  const hidden = idSet(options.hidden, 'hidden');
  // Safe integers only: the PRNG takes the low 32 bits, and a fraction would be a silent typo.
  if (!Number.isSafeInteger(options.seed)) throw new ValidationError('seed', `must be an integer, got ${String(options.seed)}`);
  const d = RERANK_DEFAULTS;
  const duplicateCosine = inRange(options.duplicateCosine ?? d.duplicateCosine, -1, 1, 'duplicateCosine');
  const mmrLambda = inRange(options.mmrLambda ?? d.mmrLambda, 0, 1, 'mmrLambda');
  const maxPerCategory = integerAtLeast(
    options.maxPerCategory ?? Math.ceil(count * d.maxCategoryShare),
    1,
    'maxPerCategory',
  );
  const freshnessHalfLifeDays = finite(options.freshnessHalfLifeDays ?? d.freshnessHalfLifeDays, 'freshnessHalfLifeDays');
  if (!(freshnessHalfLifeDays > 0)) {
    throw new ValidationError('freshnessHalfLifeDays', `must be > 0, got ${freshnessHalfLifeDays}`);
  }
  const freshBoost = nonNegative(options.freshBoost ?? d.freshBoost, 'freshBoost');
  const explorationSlots = integerAtLeast(
    options.explorationSlots ?? Math.floor(count * d.explorationShare),
    0,
    'explorationSlots',
  );
  if (explorationSlots > count) {
    throw new ValidationError('explorationSlots', `must be at most count (${count}), got ${explorationSlots}`);
  }
  const userCategories = shares(options.userCategories);
  return {
    count,
    now,
    seen,
    hidden,
    seed: options.seed,
    duplicateCosine,
    mmrLambda,
    maxPerCategory,
    freshnessHalfLifeDays,
    freshBoost,
    explorationSlots,
    userCategories,
    newUser: options.newUser ?? false,
    usualCategoryShare: inRange(options.usualCategoryShare ?? d.usualCategoryShare, 0, 1, 'usualCategoryShare'),
    popularQuantile: inRange(options.popularQuantile ?? d.popularQuantile, 0, 1, 'popularQuantile'),
    newWithinDays: nonNegative(options.newWithinDays ?? d.newWithinDays, 'newWithinDays'),
  };
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(value: unknown, field: string): number {
  const v = finite(value, field);
  if (v < 0) throw new ValidationError(field, `must be ≥ 0, got ${v}`);
  return v;
}

function inRange(value: unknown, lo: number, hi: number, field: string): number {
  const v = finite(value, field);
  if (v < lo || v > hi) throw new ValidationError(field, `must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

function integerAtLeast(value: unknown, min: number, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(field, `must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function idSet(value: unknown, field: string): ReadonlySet<string> {
  // Duck-typed: any object with `has` will do (a Set, or a view over the IndexedDB log).
  if (typeof value !== 'object' || value === null || typeof (value as { has?: unknown }).has !== 'function') {
    throw new ValidationError(field, 'must be a Set of item ids');
  }
  return value as ReadonlySet<string>;
}

function shares(value: ReadonlyMap<string, number> | undefined): ReadonlyMap<string, number> {
  if (value === undefined) return NO_CATEGORIES;
  const map = value as Partial<ReadonlyMap<string, number>> | null;
  if (typeof map !== 'object' || map === null || typeof map.get !== 'function' || typeof map.forEach !== 'function') {
    throw new ValidationError('userCategories', 'must be a Map from category to history share');
  }
  value.forEach((share, category) => {
    if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
      throw new ValidationError(`userCategories.${String(category)}`, `must be a share in [0, 1], got ${String(share)}`);
    }
  });
  return value;
}
