/**
 * Feature drift between a release's training window and the events of the last day: the
 * baseline file a release ships (`releases/<id>.drift.json`) and the binning both sides use.
 * The pipeline bins the training window's interactions and the server bins recent events with
 * these same functions, so a difference in PSI is a difference in the data, not in the code.
 */
import * as v from 'valibot';
import { EVENT_TYPES, type EventType } from '../events.ts';
import { ValidationError } from '../errors.ts';
import { psi, psiStatus } from '../metrics/psi.ts';
import { parseWith } from '../validation.ts';
import type { DriftRow } from './metrics.ts';

export const DRIFT_FEATURES = ['event.type', 'event.watchFraction', 'item.durationSeconds', 'item.categories'] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

export interface DriftBaseline {
  releaseId: string;
  /** ISO 8601 times of the first and last interaction of the training window. */
  trainingWindow: { from: string; to: string };
  /**
   * Only the features the training data has (MovieLens: no event types, no watch fractions).
   * `feature` is one of DRIFT_FEATURES; a name this code does not know (a newer pipeline's) is
   * kept by the parser and skipped by driftRows.
   */
  features: Array<{ feature: string; bins: string[]; shares: number[] }>;
}

/** What one event (or training interaction) contributes to the histograms. */
export interface DriftSample {
  type: EventType;
  watchFraction?: number;
  /** The item's features as the release's shards hold them; null when the item is not in the release. */
  item: DriftItem | null;
}

export interface DriftItem {
  categories: readonly string[];
  /** Unknown when absent. */
  durationSeconds?: number;
}

/** 10 equal bins on [0, 1]; the last one is closed (1.0 falls into it). */
export const WATCH_FRACTION_BINS: readonly string[] = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}-${((i + 1) / 10).toFixed(1)}`);
/** Bin edges in seconds: under a minute, 1-5 min, 5-15, 15-30, 30-60, 1-2 h, longer. */
export const DURATION_EDGES_SECONDS: readonly number[] = [0, 60, 300, 900, 1800, 3600, 7200];
export const DURATION_BINS: readonly string[] = [
  ...DURATION_EDGES_SECONDS.slice(0, -1).map((lo, i) => `${lo}-${DURATION_EDGES_SECONDS[i + 1]}s`),
  `${DURATION_EDGES_SECONDS.at(-1)}s+`,
  'unknown',
];
/** The baseline keeps the training window's most frequent categories; the rest share one bin. */
export const TOP_CATEGORIES = 20;
export const OTHER_CATEGORY = 'other';

export function isDriftFeature(name: string): name is DriftFeature {
  return (DRIFT_FEATURES as readonly string[]).includes(name);
}

export function watchFractionBin(fraction: number): number {
  return Math.min(9, Math.max(0, Math.floor(fraction * 10)));
}

export function durationBin(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DURATION_BINS.length - 1;
  let bin = 0;
  while (bin + 1 < DURATION_EDGES_SECONDS.length && seconds >= DURATION_EDGES_SECONDS[bin + 1]!) bin++;
  return bin;
}

/**
 * The `n` categories with the most weight over the samples (an item with k categories gives each
 * 1/k), ties by name, followed by OTHER_CATEGORY: the bins of `item.categories`.
 */
export function categoryBins(samples: Iterable<DriftSample>, n = TOP_CATEGORIES): string[] {
  const weight = new Map<string, number>();
  for (const s of samples) {
    const cats = s.item?.categories;
    if (!cats || cats.length === 0) continue;
    for (const c of cats) weight.set(c, (weight.get(c) ?? 0) + 1 / cats.length);
  }
  const top = [...weight.entries()]
    .filter(([c]) => c !== OTHER_CATEGORY)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([c]) => c);
  return [...top, OTHER_CATEGORY];
}

export interface DriftHistogram {
  feature: DriftFeature;
  bins: string[];
  /** Weight per bin (counts; fractional for categories). */
  counts: number[];
  /** Samples that contributed to this feature. */
  events: number;
}

/**
 * Bins the samples for each feature. `categories` are the bins of `item.categories` (see
 * categoryBins; a category outside them counts as OTHER_CATEGORY). Samples without a value for a
 * feature (no watch fraction, item not in the release, no categories) are left out of it.
 */
export function driftHistograms(
  samples: Iterable<DriftSample>,
  features: readonly DriftFeature[],
  categories: readonly string[],
): DriftHistogram[] {
  const otherAt = categories.indexOf(OTHER_CATEGORY);
  if (features.includes('item.categories') && otherAt < 0) {
    throw new ValidationError('categories', `must include "${OTHER_CATEGORY}" for the categories outside the top ones`);
  }
  const catIndex = new Map(categories.map((c, i) => [c, i] as const));
  const typeIndex = new Map(EVENT_TYPES.map((t, i) => [t, i] as const));
  const hist = new Map<DriftFeature, DriftHistogram>();
  for (const feature of features) {
    const bins = binsOf(feature, categories);
    hist.set(feature, { feature, bins, counts: bins.map(() => 0), events: 0 });
  }
  const add = (feature: DriftFeature, bin: number, w: number) => {
    const h = hist.get(feature);
    if (h) h.counts[bin]! += w;
  };
  const seen = (feature: DriftFeature) => {
    const h = hist.get(feature);
    if (h) h.events++;
  };
  for (const s of samples) {
    const t = typeIndex.get(s.type);
    if (t !== undefined) {
      add('event.type', t, 1);
      seen('event.type');
    }
    if (s.watchFraction !== undefined && Number.isFinite(s.watchFraction)) {
      add('event.watchFraction', watchFractionBin(s.watchFraction), 1);
      seen('event.watchFraction');
    }
    if (!s.item) continue;
    add('item.durationSeconds', durationBin(s.item.durationSeconds), 1);
    seen('item.durationSeconds');
    const cats = s.item.categories;
    if (cats.length > 0) {
      for (const c of cats) add('item.categories', catIndex.get(c) ?? otherAt, 1 / cats.length);
      seen('item.categories');
    }
  }
  return features.map((f) => hist.get(f)!);
}

function binsOf(feature: DriftFeature, categories: readonly string[]): string[] {
  switch (feature) {
    case 'event.type':
      return [...EVENT_TYPES];
    case 'event.watchFraction':
      return [...WATCH_FRACTION_BINS];
    case 'item.durationSeconds':
      return [...DURATION_BINS];
    case 'item.categories':
      return [...categories];
  }
}

/**
 * The baseline of a training window: the share of each bin per feature. A feature without any
 * sample (the dataset lacks it) is left out, as are features not asked for.
 */
export function buildDriftBaseline(o: {
  releaseId: string;
  samples: readonly DriftSample[];
  /** First and last time of the window, ms since the epoch. */
  window: { from: number; to: number };
  features?: readonly DriftFeature[];
}): DriftBaseline {
  const features = o.features ?? DRIFT_FEATURES;
  const categories = features.includes('item.categories') ? categoryBins(o.samples) : [OTHER_CATEGORY];
  const out: DriftBaseline['features'] = [];
  for (const h of driftHistograms(o.samples, features, categories)) {
    const total = h.counts.reduce((a, b) => a + b, 0);
    if (!(total > 0)) continue;
    out.push({ feature: h.feature, bins: h.bins, shares: h.counts.map((c) => c / total) });
  }
  return {
    releaseId: o.releaseId,
    trainingWindow: { from: new Date(o.window.from).toISOString(), to: new Date(o.window.to).toISOString() },
    features: out,
  };
}

/**
 * One DriftRow per baseline feature that the samples (recent events) have values for: PSI of the
 * baseline's shares against the samples' shares over the baseline's bins.
 */
export function driftRows(baseline: DriftBaseline, samples: readonly DriftSample[]): DriftRow[] {
  const known = baseline.features.filter((f): f is DriftBaseline['features'][number] & { feature: DriftFeature } => isDriftFeature(f.feature));
  const categories = known.find((f) => f.feature === 'item.categories')?.bins ?? [OTHER_CATEGORY];
  const histograms = driftHistograms(samples, known.map((f) => f.feature), categories);
  const rows: DriftRow[] = [];
  known.forEach((f, i) => {
    const h = histograms[i]!;
    if (h.events === 0 || !(h.counts.reduce((a, b) => a + b, 0) > 0)) return;
    const value = psi(f.shares, h.counts);
    rows.push({ feature: f.feature, psi: value, status: psiStatus(value), events: h.events });
  });
  return rows;
}

const isoTime = v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 timestamp'));
const baselineSchema = v.object({
  releaseId: v.pipe(v.string(), v.nonEmpty('must not be empty')),
  trainingWindow: v.object({ from: isoTime, to: isoTime }),
  features: v.array(
    v.object({
      feature: v.pipe(v.string(), v.nonEmpty('must not be empty')),
      bins: v.pipe(v.array(v.string()), v.minLength(1, 'must name at least one bin')),
      shares: v.array(v.pipe(v.number(), v.finite('must be finite'), v.minValue(0, 'must be >= 0'))),
    }),
  ),
});

/** Checks a parsed `<id>.drift.json`; a ValidationError names the offending field. */
export function parseDriftBaseline(input: unknown): DriftBaseline {
  const b = parseWith(baselineSchema, input, '');
  b.features.forEach((f, i) => {
    if (f.shares.length !== f.bins.length) {
      throw new ValidationError(`features[${i}].shares`, `has ${f.shares.length} values for ${f.bins.length} bins`);
    }
    if (f.feature === 'item.categories' && !f.bins.includes(OTHER_CATEGORY)) {
      throw new ValidationError(`features[${i}].bins`, `must include "${OTHER_CATEGORY}"`);
    }
    // Fixed bins must be this code's: the server bins recent events with it.
    if (isDriftFeature(f.feature) && f.feature !== 'item.categories') {
      const expected = binsOf(f.feature, []);
      if (f.bins.length !== expected.length || f.bins.some((b, j) => b !== expected[j])) {
        throw new ValidationError(`features[${i}].bins`, `${f.feature} has the bins ${expected.join(', ')}; got ${f.bins.join(', ')}`);
      }
    }
  });
  return b;
}
