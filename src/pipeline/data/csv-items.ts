import { cell, columnIndex, readCsvTable } from './csv-table.ts';
import { numberCell, requireCell, timestampCell } from './csv-cells.ts';
import { describeIds } from './dataset.ts';
import type { Item } from './types.ts';

const COLUMNS = ['item_id', 'title', 'categories', 'duration_seconds', 'created'] as const;

export interface ItemsCsv {
  items: Map<string, Item>;
  warnings: string[];
}

/**
 * Reads an items CSV: `item_id` plus optional `title`, `categories` ('|'-separated),
 * `duration_seconds` and `created` (a timestamp, see parseTimestamp). Other columns are
 * ignored. A repeated item_id keeps its first row and adds a warning.
 */
export function loadItemsCsv(file: string): ItemsCsv {
  const table = readCsvTable(file, 'items CSV', ['item_id']);
  const col = columnIndex(table, COLUMNS);
  const items = new Map<string, Item>();
  const repeated: string[] = [];
  for (const row of table.rows) {
    const at = (column: string) => ({ file, line: row.line, column });
    const id = requireCell(cell(row, col.item_id), at('item_id'));
    if (items.has(id)) {
      repeated.push(id);
      continue;
    }
    const item: Item = { id, title: cell(row, col.title) ?? id, categories: splitCategories(cell(row, col.categories)) };
    const duration = cell(row, col.duration_seconds);
    if (duration !== undefined) item.durationSeconds = numberCell(duration, at('duration_seconds'), 0);
    const created = cell(row, col.created);
    if (created !== undefined) item.created = timestampCell(created, at('created'));
    items.set(id, item);
  }
  const warnings =
    repeated.length > 0
      ? [`${file}: ${repeated.length} repeated item_id rows ignored, the first row of each kept (${describeIds(repeated)})`]
      : [];
  return { items, warnings };
}

function splitCategories(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split('|')) {
    const c = part.trim();
    if (c !== '' && !out.includes(c)) out.push(c);
  }
  return out;
}
