/**
 * The drift baseline of a release (`releases/<id>.drift.json`): the distributions of the
 * training window's interactions over the bins of src/core/sync/drift.ts, which the server
 * compares (PSI) with the last day of events.
 *
 * Items are seen as the release's shards hold them, not as the catalogue had them: the server
 * reads an item's categories and duration back from the shards (shardItemRecord), where the
 * `category` column keeps at most maxCategories known categories and `durationSeconds` is
 * rounded with 0 for unknown. Reading the same ItemColumn functions the shards are written from
 * keeps both sides of the PSI on the same footing.
 */
import { buildDriftBaseline, type DriftBaseline, type DriftFeature, type DriftItem, type DriftSample } from '../../core/sync/drift.ts';
import type { Feedback, Interaction } from '../data/index.ts';
import type { ItemColumn } from './item-columns.ts';

/** The baseline's file name inside releases/, beside `<releaseId>.json`. */
export function driftBaselineFile(releaseId: string): string {
  return `${releaseId}${DRIFT_FILE_SUFFIX}`;
}

export const DRIFT_FILE_SUFFIX = '.drift.json';

/** A baseline before the release id is known (writeRelease fills it in). */
export type DriftBaselineInput = Omit<DriftBaseline, 'releaseId'>;

/** Each item's drift view from the `category` and `durationSeconds` columns, keyed by item id. */
export function driftItemsFromColumns(
  ids: readonly string[],
  columns: readonly ItemColumn[],
  vocab: readonly string[],
): Map<string, DriftItem> {
  const category = columns.find((c) => c.name === 'category');
  const duration = columns.find((c) => c.name === 'durationSeconds');
  const out = new Map<string, DriftItem>();
  ids.forEach((id, i) => {
    const categories: string[] = [];
    for (const x of valuesOf(category, i)) if (x > 0 && x <= vocab.length) categories.push(vocab[x - 1]!);
    const seconds = valuesOf(duration, i)[0] ?? 0;
    out.set(id, seconds > 0 ? { categories, durationSeconds: seconds } : { categories });
  });
  return out;
}

function valuesOf(column: ItemColumn | undefined, i: number): number[] {
  if (!column) return [];
  const v = column.values(i);
  return typeof v === 'number' ? [v] : Array.from(v);
}

/**
 * The baseline of a training window. Left out, as the data lacks them: `event.type` unless the
 * dataset logs feed events (feedback 'impressions'; ratings turned into like/skip are not device
 * events), `event.watchFraction` without watch fractions, `item.durationSeconds` when no item has
 * a duration, `item.categories` when none has a category.
 */
export function driftBaselineOf(o: {
  interactions: readonly Interaction[];
  items: ReadonlyMap<string, DriftItem>;
  feedback: Feedback;
}): DriftBaselineInput | null {
  if (o.interactions.length === 0) return null;
  let from = Infinity;
  let to = -Infinity;
  const samples: DriftSample[] = o.interactions.map((x) => {
    if (x.at < from) from = x.at;
    if (x.at > to) to = x.at;
    return {
      type: x.type,
      ...(x.watchFraction === undefined ? {} : { watchFraction: x.watchFraction }),
      item: o.items.get(x.item) ?? null,
    };
  });
  const features: DriftFeature[] = [];
  if (o.feedback === 'impressions') features.push('event.type');
  features.push('event.watchFraction');
  if (samples.some((s) => s.item?.durationSeconds !== undefined)) features.push('item.durationSeconds');
  features.push('item.categories');
  const { releaseId: _unknownYet, ...baseline } = buildDriftBaseline({ releaseId: '-', samples, window: { from, to }, features });
  return baseline;
}
