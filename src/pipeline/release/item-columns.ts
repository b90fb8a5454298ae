/**
 * The per-item ranking features and display strings that go into the shards, so a device can
 * build the ranker's inputs and render a card without the catalogue. The writer takes them as
 * generic column descriptions (a name, a type, a width and a function of the item's index);
 * defaultItemColumns builds the usual set from the data layer's Items.
 */
import type { ColumnType, ShardColumnInput } from '../../core/shard/index.ts';
import type { Item } from '../data/index.ts';
import { RELEASE_DEFAULTS } from './defaults.ts';
import { ReleaseInputError } from './errors.ts';

export interface ItemColumn {
  name: string;
  type: ColumnType;
  /** Values per item, default 1 (e.g. up to 3 categories, padded with 0). */
  width?: number;
  /** Item `itemIndex`'s value, or up to `width` values (fewer are padded with 0). */
  values(itemIndex: number): number | ArrayLike<number>;
}

export interface ItemMetaField {
  name: string;
  /** Display string of item `itemIndex` ('' when it has none). */
  value(itemIndex: number): string;
}

/** `createdDays` of an item whose creation time is unknown (see defaultItemColumns). */
export const CREATED_DAYS_UNKNOWN = -0x80000000;
const DAY_MS = 86_400_000;
const U32_MAX = 0xffffffff;

export interface DefaultColumnsInput {
  items: readonly Item[];
  /** One score per item (interaction count, or any non-negative popularity measure). */
  popularity: Float32Array;
  /**
   * The category vocabulary: the `category` column stores index + 1 in it. Pass the vocabulary
   * of the feature spec's category feature and the column is already that feature's encoding.
   */
  categories: readonly string[];
  maxCategories?: number;
}

/**
 * The default columns:
 * - `category` u16 × maxCategories: vocabulary index + 1 of the item's categories in item order,
 *   unknown ones dropped, padded with 0 (= none), as encodeMultiCategorical does;
 * - `durationSeconds` u32: rounded, 0 = unknown (no real video lasts 0 s);
 * - `createdDays` i32: whole days since 1970-01-01 UTC (floor), CREATED_DAYS_UNKNOWN when
 *   unknown. Signed, because catalogues date films before 1970 (MovieLens has the 1920s), and 0
 *   is a real day, so neither u32 nor "0 = unknown" would do; the device computes ageDays as
 *   now / day - createdDays;
 * - `popularity` f32: the given popularity score (a count);
 * and meta `title` and `image` ('' when none).
 */
export function defaultItemColumns(input: DefaultColumnsInput): { columns: ItemColumn[]; meta: ItemMetaField[] } {
  const { items, popularity, categories } = input;
  const maxCategories = input.maxCategories ?? RELEASE_DEFAULTS.maxCategories;
  if (!Number.isInteger(maxCategories) || maxCategories < 1) {
    throw new ReleaseInputError('maxCategories', `must be a positive integer, got ${String(maxCategories)}`);
  }
  if (categories.length > 0xfffe) {
    throw new ReleaseInputError('categories', `${categories.length} categories; a u16 column holds at most 65,534 (0 = none)`);
  }
  if (popularity.length !== items.length) {
    throw new ReleaseInputError('popularity', `length ${popularity.length}, expected one per item (${items.length})`);
  }
  const vocab = new Map(categories.map((c, i) => [c, i + 1] as const));
  const item = (i: number): Item => items[i]!;
  const columns: ItemColumn[] = [
    {
      name: 'category',
      type: 'u16',
      width: maxCategories,
      values: (i) => {
        const out: number[] = [];
        for (const c of item(i).categories) {
          const id = vocab.get(c);
          if (id !== undefined && out.length < maxCategories) out.push(id);
        }
        return out;
      },
    },
    {
      name: 'durationSeconds',
      type: 'u32',
      values: (i) => {
        const d = item(i).durationSeconds;
        return d === undefined || !Number.isFinite(d) || d <= 0 ? 0 : Math.min(U32_MAX, Math.round(d));
      },
    },
    {
      name: 'createdDays',
      type: 'i32',
      values: (i) => {
        const t = item(i).created;
        return t === undefined || !Number.isFinite(t) ? CREATED_DAYS_UNKNOWN : Math.floor(t / DAY_MS);
      },
    },
    { name: 'popularity', type: 'f32', values: (i) => popularity[i]! },
  ];
  const meta: ItemMetaField[] = [
    { name: 'title', value: (i) => item(i).title },
    { name: 'image', value: (i) => item(i).image ?? '' },
  ];
  return { columns, meta };
}

/** A column's values for every item, read once and checked against its type. */
export interface ColumnData {
  name: string;
  type: ColumnType;
  width: number;
  /** n × width, row-major; float64 so out-of-range values are caught, not wrapped. */
  data: Float64Array;
}

const RANGES: Record<ColumnType, readonly [number, number] | null> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, U32_MAX],
  i32: [-0x80000000, 0x7fffffff],
  f32: null,
};

/** Reads every item's values of `column`; a value its type cannot hold throws, naming the item. */
export function readColumn(column: ItemColumn, index: number, n: number, idOf: (i: number) => string): ColumnData {
  const at = `columns[${index}]`;
  if (typeof column !== 'object' || column === null) throw new ReleaseInputError(at, 'expected a column object');
  if (typeof column.name !== 'string' || !/^[^\0]{1,256}$/.test(column.name)) {
    throw new ReleaseInputError(`${at}.name`, 'expected a non-empty string without U+0000');
  }
  if (!(column.type in RANGES)) {
    throw new ReleaseInputError(`${at}.type`, `unknown type "${String(column.type)}"; allowed: ${Object.keys(RANGES).join(', ')}`);
  }
  const width = column.width ?? 1;
  if (!Number.isInteger(width) || width < 1 || width > 0xffff) {
    throw new ReleaseInputError(`${at}.width`, `expected an integer in [1, 65535], got ${String(width)}`);
  }
  if (typeof column.values !== 'function') throw new ReleaseInputError(`${at}.values`, 'expected a function of the item index');
  const range = RANGES[column.type];
  const data = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const v = column.values(i);
    const count = typeof v === 'number' ? 1 : v.length;
    if (count > width) {
      throw new ReleaseInputError(`columns.${column.name}`, `item "${idOf(i)}" has ${count} values, the column's width is ${width}`);
    }
    for (let j = 0; j < count; j++) {
      const x = typeof v === 'number' ? v : v[j]!;
      const ok = range === null ? Number.isFinite(Math.fround(x)) : Number.isInteger(x) && x >= range[0] && x <= range[1];
      if (!ok) {
        const allowed = range === null ? 'a finite float32' : `an integer in [${range[0]}, ${range[1]}]`;
        throw new ReleaseInputError(`columns.${column.name}`, `item "${idOf(i)}": ${String(x)} is not ${allowed} (${column.type})`);
      }
      data[i * width + j] = x;
    }
  }
  return { name: column.name, type: column.type, width, data };
}

/** Reads every item's string of `field`. */
export function readMeta(field: ItemMetaField, index: number, n: number, idOf: (i: number) => string): { name: string; values: string[] } {
  const at = `meta[${index}]`;
  if (typeof field !== 'object' || field === null || typeof field.value !== 'function') {
    throw new ReleaseInputError(at, 'expected { name, value(itemIndex) }');
  }
  if (typeof field.name !== 'string' || !/^[^\0]{1,256}$/.test(field.name)) {
    throw new ReleaseInputError(`${at}.name`, 'expected a non-empty string without U+0000');
  }
  const values: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const s = field.value(i);
    if (typeof s !== 'string') throw new ReleaseInputError(`meta.${field.name}`, `item "${idOf(i)}": expected a string, got ${typeof s}`);
    values[i] = s;
  }
  return { name: field.name, values };
}

/** The rows `rows` of a column, as the shard encoder takes them (already range-checked). */
export function columnRows(c: ColumnData, rows: ArrayLike<number>): ShardColumnInput {
  const out = new Float64Array(rows.length * c.width);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r]! * c.width;
    out.set(c.data.subarray(from, from + c.width), r * c.width);
  }
  return { name: c.name, type: c.type, width: c.width, data: out };
}
