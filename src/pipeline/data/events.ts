import { basename } from 'node:path';
import { EVENT_TYPES, isEventType } from '../../core/events.ts';
import { loadItemsCsv } from './csv-items.ts';
import { assembleDataset, describeIds } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { labelOfType, watchFraction } from './labels.ts';
import { readDatasetFile } from './read-file.ts';
import { parseTimestamp } from './timestamp.ts';
import type { Dataset, Interaction, Item } from './types.ts';

export interface EventsExportOptions {
  /** An items CSV (see loadItemsCsv) for titles and categories; the export has ids only. */
  items?: string;
}

/**
 * Loads the feature store's export: JSON Lines, one event per line,
 * `{ "install", "item", "type", "at", "watchSeconds"?, "durationSeconds"? }`.
 *
 * The install id becomes the user. click / watch / like are positives, impression / skip / hide
 * negatives; `feedback` is 'impressions' when the export holds any negative, else 'implicit'.
 * `at` is an ISO 8601 string or a number (read by magnitude like every timestamp here, so ms
 * as exported, and seconds by mistake, both come out right). `durationSeconds` fills in the
 * item's duration when the items file has none. Blank lines are skipped; anything else that
 * is not a valid event is a DatasetError naming the line and the field.
 */
export function loadEventsExport(file: string, options: EventsExportOptions = {}): Dataset {
  const catalog = options.items !== undefined ? loadItemsCsv(options.items) : undefined;
  const items = catalog?.items ?? new Map<string, Item>();
  const text = readDatasetFile(file, 'events export').toString('utf8');
  const lines = text.split(/\r?\n/);
  const interactions: Interaction[] = [];
  // Durations arrive per event; they apply to the item, so the watch fractions are set after
  // every line is read.
  const durations = new Map<string, number>();
  let negatives = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    const record = parseLine(file, line, raw);
    const x = toInteraction(file, line, record);
    if (x.label === 0) negatives++;
    const duration = optionalNumber(file, line, record, 'durationSeconds');
    if (duration !== undefined && duration > 0 && !durations.has(x.item)) durations.set(x.item, duration);
    interactions.push(x);
  }
  if (interactions.length === 0) throw new DatasetError({ file }, 'events export is empty; expected one JSON event per line');

  const { dataset, madeUpItems } = assembleDataset({
    name: `events:${basename(file)}`,
    interactions,
    items,
    feedback: negatives > 0 ? 'impressions' : 'implicit',
    warnings: catalog?.warnings ?? [],
  });
  for (const [id, seconds] of durations) {
    const item = dataset.items.get(id);
    if (item !== undefined && item.durationSeconds === undefined) item.durationSeconds = seconds;
  }
  for (const x of dataset.interactions) {
    const fraction = watchFraction(x.watchSeconds, dataset.items.get(x.item)?.durationSeconds);
    if (fraction !== undefined) x.watchFraction = fraction;
  }
  if (options.items !== undefined && madeUpItems.length > 0) {
    dataset.warnings.push(
      `${file}: ${madeUpItems.length} items absent from ${options.items} (${describeIds(madeUpItems)}); kept, with minimal items`,
    );
  }
  return dataset;
}

function parseLine(file: string, line: number, raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new DatasetError({ file, line }, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetError({ file, line }, 'expected a JSON object per line');
  }
  return value as Record<string, unknown>;
}

function toInteraction(file: string, line: number, r: Record<string, unknown>): Interaction {
  const user = requiredString(file, line, r, 'install');
  const item = requiredString(file, line, r, 'item');
  const type = r.type;
  if (!isEventType(type)) {
    const allowed = EVENT_TYPES.join(', ');
    throw new DatasetError({ file, line, field: 'type' }, `${JSON.stringify(type)} is not an event type; use one of ${allowed}`);
  }
  const atValue = r.at;
  if (typeof atValue !== 'string' && typeof atValue !== 'number') {
    const got = JSON.stringify(atValue) ?? 'nothing';
    throw new DatasetError({ file, line, field: 'at' }, `expected an ISO 8601 string or milliseconds, got ${got}`);
  }
  const at = parseTimestamp(atValue);
  if (typeof at === 'string') {
    throw new DatasetError({ file, line, field: 'at' }, `cannot read ${JSON.stringify(atValue)} as a timestamp: ${at}`);
  }
  const x: Interaction = { user, item, at, label: labelOfType(type), type };
  const watchSeconds = optionalNumber(file, line, r, 'watchSeconds');
  if (watchSeconds !== undefined) x.watchSeconds = watchSeconds;
  return x;
}

function requiredString(file: string, line: number, r: Record<string, unknown>, field: string): string {
  const v = r[field];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v === '') {
    throw new DatasetError({ file, line, field }, `expected a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`);
  }
  return v;
}

function optionalNumber(file: string, line: number, r: Record<string, unknown>, field: string): number | undefined {
  const v = r[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new DatasetError({ file, line, field }, `expected a number >= 0, got ${JSON.stringify(v)}`);
  }
  return v;
}
