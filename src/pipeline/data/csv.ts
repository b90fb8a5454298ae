import { basename } from 'node:path';
import { cell, columnIndex, readCsvTable } from './csv-table.ts';
import { labelCell, numberCell, requireCell, timestampCell } from './csv-cells.ts';
import { loadItemsCsv } from './csv-items.ts';
import { assembleDataset, describeIds } from './dataset.ts';
import { DATA_DEFAULTS } from './defaults.ts';
import { labelOfRating, typeForLabel, watchFraction } from './labels.ts';
import type { Dataset, Feedback, Interaction, Item } from './types.ts';

const REQUIRED = ['user_id', 'item_id', 'timestamp'] as const;
const COLUMNS = [...REQUIRED, 'rating', 'label', 'watch_seconds'] as const;

export interface CsvSource {
  /** Interactions CSV: user_id, item_id, timestamp; optional rating, label, watch_seconds. */
  interactions: string;
  /** Items CSV: item_id; optional title, categories, duration_seconds, created. */
  items?: string;
  /** A rating at or above this is a positive when there is no label column. */
  positiveRating?: number;
}

/**
 * Loads interactions (and optionally items) from CSV files with a header line.
 *
 * A row's label is its `label` cell (0/1/true/false) when it has one, else `rating >= 4` when it
 * has a rating, else 1: a log of things users chose, with negatives left for the trainer to
 * sample. `feedback` follows: 'impressions' when some label is 0, 'explicit' when labels came
 * from ratings, 'implicit' otherwise. Timestamps: see parseTimestamp.
 *
 * An interaction whose item is missing from the items file is kept with a minimal item, and
 * counted in `warnings`; every other problem is a DatasetError naming file, line and column.
 */
export function loadCsv(source: CsvSource): Dataset {
  const threshold = source.positiveRating ?? DATA_DEFAULTS.positiveRating;
  const catalog = source.items !== undefined ? loadItemsCsv(source.items) : undefined;
  const items = catalog?.items ?? new Map<string, Item>();

  const file = source.interactions;
  const table = readCsvTable(file, 'interactions CSV', REQUIRED);
  const col = columnIndex(table, COLUMNS);
  const interactions: Interaction[] = [];
  let sawNegativeLabel = false;
  let usedRating = false;
  for (const row of table.rows) {
    const at = (column: string) => ({ file, line: row.line, column });
    const user = requireCell(cell(row, col.user_id), at('user_id'));
    const item = requireCell(cell(row, col.item_id), at('item_id'));
    const time = timestampCell(requireCell(cell(row, col.timestamp), at('timestamp')), at('timestamp'));

    const ratingText = cell(row, col.rating);
    const rating = ratingText !== undefined ? numberCell(ratingText, at('rating')) : undefined;
    const labelText = cell(row, col.label);
    const watchText = cell(row, col.watch_seconds);
    const watchSeconds = watchText !== undefined ? numberCell(watchText, at('watch_seconds'), 0) : undefined;

    let label: 0 | 1;
    if (labelText !== undefined) {
      label = labelCell(labelText, at('label'));
      if (label === 0) sawNegativeLabel = true;
    } else if (rating !== undefined) {
      label = labelOfRating(rating, threshold);
      usedRating = true;
    } else {
      label = 1;
    }

    const x: Interaction = { user, item, at: time, label, type: typeForLabel(label, { rating, watchSeconds }) };
    if (rating !== undefined) x.rating = rating;
    if (watchSeconds !== undefined) {
      x.watchSeconds = watchSeconds;
      const fraction = watchFraction(watchSeconds, items.get(item)?.durationSeconds);
      if (fraction !== undefined) x.watchFraction = fraction;
    }
    interactions.push(x);
  }

  const feedback: Feedback = sawNegativeLabel ? 'impressions' : usedRating ? 'explicit' : 'implicit';
  const { dataset, madeUpItems } = assembleDataset({
    name: `csv:${basename(file)}`,
    interactions,
    items,
    feedback,
    warnings: catalog?.warnings ?? [],
  });
  if (source.items !== undefined && madeUpItems.length > 0) {
    const missing = new Set(madeUpItems);
    let rows = 0;
    for (const x of dataset.interactions) if (missing.has(x.item)) rows++;
    dataset.warnings.push(
      `${file}: ${rows} interactions name ${madeUpItems.length} items absent from ${source.items} ` +
        `(${describeIds(madeUpItems)}); kept, with minimal items (title = id, no categories)`,
    );
  }
  return dataset;
}
