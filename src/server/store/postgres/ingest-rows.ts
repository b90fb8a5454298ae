/**
 * Batches as column arrays for `unnest`: one statement inserts a whole batch, whatever its size,
 * with a fixed parameter count (a multi-row VALUES list would need 9 parameters per event and a
 * new query text per batch size).
 */
import type { PseudonymousBatch } from '../../../core/sync/wire.ts';
import type { DayCounts } from '../day-counts.ts';

export interface EventColumns {
  items: string[];
  types: string[];
  ats: number[];
  watchSeconds: Array<number | null>;
  watchFractions: Array<number | null>;
}

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
    const v = values[i] as string | null | undefined;
    // null as pg writes it (NULL, which a NOT NULL column then refuses), not as the text "null".
    const element = v == null ? 'NULL' : `"${NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : v}"`;
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
