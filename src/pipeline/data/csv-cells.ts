import { DatasetError } from './errors.ts';
import { parseTimestamp } from './timestamp.ts';

/** Where a cell sits, for the error message: file, line, column. */
export interface CellPlace {
  file: string;
  line: number;
  column: string;
}

/** A cell that must not be empty (an id). */
export function requireCell(value: string | undefined, at: CellPlace): string {
  if (value === undefined) throw new DatasetError(at, 'is empty; every row needs a value here');
  return value;
}

export function numberCell(value: string, at: CellPlace, min = -Infinity): number {
  // Number('') and Number(' ') are 0 and Number('0x10') is 16: accept decimal notation only.
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new DatasetError(at, `${JSON.stringify(value)} is not a number`);
  if (n < min) throw new DatasetError(at, `${JSON.stringify(value)} is below ${min}`);
  return n;
}

export function timestampCell(value: string, at: CellPlace): number {
  const ms = parseTimestamp(value);
  if (typeof ms === 'string') {
    throw new DatasetError(at, `cannot read ${JSON.stringify(value)} as a timestamp: ${ms}`);
  }
  return ms;
}

const LABELS: Readonly<Record<string, 0 | 1>> = { '0': 0, '1': 1, false: 0, true: 1 };

export function labelCell(value: string, at: CellPlace): 0 | 1 {
  const label = LABELS[value.toLowerCase()];
  if (label === undefined) {
    throw new DatasetError(at, `${JSON.stringify(value)} is not a label; use 0, 1, true or false`);
  }
  return label;
}
