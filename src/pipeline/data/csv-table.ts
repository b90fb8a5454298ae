import { CsvError, parse } from 'csv-parse/sync';
import { DatasetError } from './errors.ts';
import { readDatasetFile } from './read-file.ts';

interface InfoRecord {
  record: string[];
  info: { lines: number; empty_lines: number };
}

/** A parsed CSV: normalised header names, and each record with the line it starts on. */
export interface CsvTable {
  file: string;
  /** Header names, trimmed and lower-cased, in file order. */
  header: string[];
  rows: CsvRow[];
}

export interface CsvRow {
  /** 1-based physical line where the record starts (a quoted field may span several lines). */
  line: number;
  cells: string[];
}

/**
 * Reads a CSV with a header line through csv-parse (RFC 4180: quoted fields may hold commas,
 * quotes and newlines). Header names are trimmed and lower-cased so `User_ID` matches
 * `user_id`. Fails with one line naming the file when it is missing or empty, when a required
 * column is absent (naming all missing ones and the ones found) or when a record is malformed.
 */
export function readCsvTable(file: string, what: string, required: readonly string[]): CsvTable {
  const text = readDatasetFile(file, what).toString('utf8');
  if (text.trim() === '') {
    throw new DatasetError({ file }, `${what} is empty; expected a header line with ${required.join(', ')}`);
  }
  let records: InfoRecord[];
  try {
    // With `info`, each record comes wrapped with its position; the typings do not model that.
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, trim: true }) as unknown as InfoRecord[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = typeof err.lines === 'number' ? err.lines : undefined;
      throw new DatasetError({ file, line }, `malformed CSV: ${err.message}`, { cause: err });
    }
    throw err;
  }

  const rows: CsvRow[] = [];
  // csv-parse reports the line a record ends on; the next record starts after it, past any
  // empty lines skipped in between.
  let prevEnd = 0;
  let prevEmpty = 0;
  for (const { record, info } of records) {
    rows.push({ line: prevEnd + 1 + (info.empty_lines - prevEmpty), cells: record });
    prevEnd = info.lines;
    prevEmpty = info.empty_lines;
  }
  const headerRow = rows.shift();
  if (headerRow === undefined) throw new DatasetError({ file }, `${what} is empty`);
  const header = headerRow.cells.map((h) => h.trim().toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const plural = missing.length > 1 ? 's' : '';
    throw new DatasetError(
      { file, line: headerRow.line },
      `header lacks required column${plural} ${missing.join(', ')}; found: ${header.join(', ') || '(none)'}`,
    );
  }
  if (rows.length === 0) {
    throw new DatasetError({ file }, `${what} has a header but no data rows`);
  }
  return { file, header, rows };
}

/** Index of each named column in the header, or undefined when the file has no such column. */
export function columnIndex<const C extends string>(table: CsvTable, names: readonly C[]): Record<C, number | undefined> {
  const out = {} as Record<C, number | undefined>;
  for (const name of names) {
    const i = table.header.indexOf(name);
    out[name] = i >= 0 ? i : undefined;
  }
  return out;
}

/** The cell of a column in a row; undefined when the column is absent or the cell is empty. */
export function cell(row: CsvRow, index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const value = row.cells[index];
  return value === undefined || value === '' ? undefined : value;
}
