/**
 * Batches as column arrays for `unnest`: one statement inserts a whole batch, whatever its size,
 * with a fixed parameter count (a multi-row VALUES list would need 9 parameters per event and a
 * new query text per batch size).
 */
import type { PseudonymousBatch } from '../../../core/sync/wire.ts';
import { COUNTER_OF_TYPE, utcDay, type DayCounts } from '../day-counts.ts';
import { dayNumber } from './partitions.ts';

export interface EventColumns {
  items: string[];
  types: string[];
  ats: number[];
  watchSeconds: Array<number | null>;
  watchFractions: Array<number | null>;
}

/** The event columns of a batch; eventBatchParams writes the same in one pass (the reference its test compares with). */
export function eventColumns(batch: PseudonymousBatch): EventColumns {
  const n = batch.events.length;
  const cols: EventColumns = {
    items: new Array<string>(n),
    types: new Array<string>(n),
    ats: new Array<number>(n),
    watchSeconds: new Array<number | null>(n),
    watchFractions: new Array<number | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const e = batch.events[i]!;
    cols.items[i] = e.itemId;
    cols.types[i] = e.type;
    // The column is bigint (ms); a fractional clock reading would fail the whole batch.
    cols.ats[i] = Math.round(e.at);
    cols.watchSeconds[i] = e.watchSeconds ?? null;
    cols.watchFractions[i] = e.watchFraction ?? null;
  }
  return cols;
}

export interface CountColumns {
  items: string[];
  days: string[];
  /** impressions, clicks, watches, likes, hides, skips, watchSeconds, watchFractionSum: one array each. */
  values: number[][];
}

const COUNT_FIELDS = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips', 'watchSeconds', 'watchFractionSum'] as const;

/**
 * Day counters of one feed as column arrays, merged by (item, day) and sorted by that key.
 * Merging is needed because `INSERT ... ON CONFLICT DO UPDATE` may not touch one row twice in a
 * statement; sorting makes concurrent batches lock shared rows in the same order, so they wait
 * for each other instead of deadlocking.
 */
export function countColumns(rows: readonly DayCounts[]): CountColumns {
  const merged = new Map<string, DayCounts>();
  for (const r of rows) {
    const key = `${r.day}\u0000${r.item}`;
    const prev = merged.get(key);
    if (!prev) merged.set(key, { ...r });
    else for (const f of COUNT_FIELDS) prev[f] += r[f];
  }
  const keys = [...merged.keys()].sort();
  const cols: CountColumns = { items: [], days: [], values: COUNT_FIELDS.map(() => []) };
  for (const key of keys) {
    const r = merged.get(key)!;
    cols.items.push(r.item);
    cols.days.push(r.day);
    COUNT_FIELDS.forEach((f, j) => cols.values[j]!.push(r[f]));
  }
  return cols;
}

/**
 * A Postgres array literal of text values, for a `$n::text[]` parameter. pg would write the same
 * literal from a JS array (every element quoted, `\` and `"` escaped), with two regular
 * expressions per element; most ids need neither escape, so this checks once and skips them.
 */
export function textArray(values: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const element = textElement(values[i] as string | null | undefined);
    out += i > 0 ? `,${element}` : element;
  }
  return `${out}}`;
}

const NEEDS_ESCAPE = /["\\]/;

/** A Postgres array literal of numbers (null as NULL), for `$n::bigint[]` or `$n::float8[]`. */
export function numberArray(values: ReadonlyArray<number | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // String(v) as pg writes it; anything not a number is left for Postgres to refuse.
    out += `${i > 0 ? ',' : ''}${v == null ? 'NULL' : String(v)}`;
  }
  return `${out}}`;
}

/** One element of a text array literal; null as pg writes it (NULL, which a NOT NULL column then refuses), not as the text "null". */
function textElement(v: string | null | undefined): string {
  return v == null ? 'NULL' : `"${NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v}"`;
}

/** Index of each counter in a merged row's values, in COUNT_FIELDS order. */
const COUNTER_INDEX = Object.fromEntries(COUNT_FIELDS.map((f, i) => [f, i])) as Record<(typeof COUNT_FIELDS)[number], number>;

export interface EventBatchParams {
  /** items, types, ats, watch seconds, watch fractions; then the day counters' items and days and the eight counter columns. */
  arrays: string[];
  /** UTC day numbers of the stored (rounded) event times, each once: the partitions the batch needs. */
  days: number[];
}

/**
 * The array parameters of INSERT_EVENTS in one pass over the events: the same literals as
 * textArray / numberArray of eventColumns(batch), then of countColumns(countEvents(...)) (same
 * counters, summed in event order, merged by day and item, sorted by that key), without the
 * intermediate objects (a 100-event batch is several times cheaper; ingest-rows test pins equality).
 */
export function eventBatchParams(batch: PseudonymousBatch): EventBatchParams {
  const events = batch.events;
  let items = '{';
  let types = '{';
  let ats = '{';
  let seconds = '{';
  let fractions = '{';
  const days: number[] = [];
  const rows = new Map<string, { item: string; day: string; values: number[] }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const sep = i > 0 ? ',' : '';
    // The column is bigint (ms); a fractional clock reading would fail the whole batch.
    const at = Math.round(e.at);
    items += sep + textElement(e.itemId);
    types += sep + textElement(e.type);
    ats += sep + String(at);
    seconds += sep + (e.watchSeconds == null ? 'NULL' : String(e.watchSeconds));
    fractions += sep + (e.watchFraction == null ? 'NULL' : String(e.watchFraction));
    const d = dayNumber(at);
    if (!days.includes(d)) days.push(d);
    // Counters as countEvents makes them: the day of the time as sent.
    const day = utcDay(e.at);
    const key = `${day}\u0000${e.itemId}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { item: e.itemId, day, values: [0, 0, 0, 0, 0, 0, 0, 0] };
      rows.set(key, row);
    }
    row.values[COUNTER_INDEX[COUNTER_OF_TYPE[e.type]]]! += 1;
    if (e.watchSeconds != null) row.values[6]! += e.watchSeconds;
    if (e.type === 'watch' && e.watchFraction != null) row.values[7]! += e.watchFraction;
  }
  const keys = [...rows.keys()].sort();
  let countItems = '{';
  let countDays = '{';
  const values = COUNT_FIELDS.map(() => '{');
  keys.forEach((key, k) => {
    const row = rows.get(key)!;
    const sep = k > 0 ? ',' : '';
    countItems += sep + textElement(row.item);
    countDays += sep + textElement(row.day);
    for (let j = 0; j < values.length; j++) values[j] += sep + String(row.values[j]);
  });
  return {
    arrays: [`${items}}`, `${types}}`, `${ats}}`, `${seconds}}`, `${fractions}}`, `${countItems}}`, `${countDays}}`, ...values.map((v) => `${v}}`)],
    days,
  };
}
