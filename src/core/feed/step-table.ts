/**
 * The step table: which items users reach within a few events of which (an order-aware
 * item-item model), and the ranker's `context.historySequenceScore` read from it.
 *
 * EASE (the retrieval) reads a history as a set; what a user does next depends on what they
 * did last. For each item the pipeline counts the items that came 1..window events after it in
 * users' own time-ordered events, weighs a step d events on by stepDecay^(d - 1), divides by
 * √(count i · count j), and keeps each row's `width` strongest, each weight stored as a byte
 * times its row's scale (pipeline/train/step-table.ts).
 * The table ships whole as one release artifact (kind "steps"): nothing in the shards, and
 * fetching it says nothing about the user.
 *
 * A candidate's sequence score is Σₖ decay^k · table[hₖ, candidate] over the user's newest
 * `entries` distinct items h₀ (newest), h₁, … among events of the table's `events` types
 * (liked or not: a film rated low was still the one watched next). The pipeline and the worker
 * both call sequenceScores, so device and report rank on the same numbers.
 *
 * Binary layout (little-endian): "ODST" u32 version=1, u32 rows, u32 width, u32 entries,
 * f32 decay, u32 events bitmask (bit k = EVENT_TYPES[k]), u32 id bytes; the ids as UTF-8 joined
 * by "\n", zero-padded to 4; u16 neighbours [rows × width] (row indices, 0xffff = none), padded
 * to 4; f32 scales [rows]; u8 levels [rows × width] (weight = level × its row's scale). Three
 * bytes per neighbour: 100 neighbours of 3,000 items are 0.9 MB.
 */
import { ValidationError } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../events.ts';
import { utf8Length, writeUtf8 } from '../shard/utf8.ts';
import { newestFirst, type FeatureSpec, type HistoryEntry } from '../features/index.ts';

export const STEP_TABLE_MAGIC = 0x5453444f; // "ODST"
export const STEP_TABLE_VERSION = 1;
/** A neighbour slot that holds nothing (a row with fewer than `width` neighbours). */
export const NO_NEIGHBOUR = 0xffff;
/** The most rows a table holds (u16 indices, one value kept for NO_NEIGHBOUR). */
export const STEP_TABLE_MAX_ROWS = 0xffff;
/** The context field the ranker's sequence feature reads. */
export const SEQUENCE_SCORE_FIELD = 'historySequenceScore';

export interface StepTable {
  /** Item id of each row. */
  ids: readonly string[];
  /** Neighbours kept per row. */
  width: number;
  /** [rows × width] row indices, NO_NEIGHBOUR past a row's last neighbour. */
  neighbours: Uint16Array;
  /** [rows × width] weight levels (0 where there is no neighbour): weight = level × scales[row]. */
  levels: Uint8Array;
  /** [rows] the weight of one level in each row. */
  scales: Float32Array;
  /** History entries (newest distinct items) a score reads. */
  entries: number;
  /** Weight of entry k (newest 0): decay^k. */
  decay: number;
  /** The event types whose items count as history entries. */
  events: readonly EventType[];
}

/** Whether a spec has a feature that reads the sequence score (else none is computed). */
export function readsSequenceScore(spec: FeatureSpec): boolean {
  return spec.features.some((f) => 'source' in f && f.source === `context.${SEQUENCE_SCORE_FIELD}`);
}

/** The table's row of each item id. */
export function stepRows(table: StepTable): Map<string, number> {
  return new Map(table.ids.map((id, r) => [id, r] as const));
}

/**
 * The item ids a sequence score reads: the newest `table.entries` distinct items among entries
 * of the table's event types, newest first, in the history features' order (newestFirst).
 */
export function sequenceItems(table: StepTable, entries: readonly HistoryEntry[]): string[] {
  const types = new Set(table.events);
  const out: string[] = [];
  for (const i of newestFirst(entries)) {
    if (out.length >= table.entries) break;
    const e = entries[i]!;
    if (!types.has(e.type)) continue;
    const id = String(e.item['id']);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * The sequence score of each candidate id after the history items `recent` (newest first, as
 * sequenceItems gives them): Σₖ decay^k · weight of the candidate in row recent[k]. Ids outside
 * the table count nothing.
 */
export function sequenceScores(table: StepTable, rows: ReadonlyMap<string, number>, recent: readonly string[], candidates: readonly string[]): Float64Array {
  const sums = new Map<number, number>();
  let weight = 1;
  for (const id of recent) {
    const r = rows.get(id);
    if (r !== undefined) {
      for (let k = r * table.width, end = k + table.width; k < end; k++) {
        const j = table.neighbours[k]!;
        if (j === NO_NEIGHBOUR) break;
        sums.set(j, (sums.get(j) ?? 0) + weight * table.levels[k]! * table.scales[r]!);
      }
    }
    weight *= table.decay;
  }
  return Float64Array.from(candidates, (id) => {
    const r = rows.get(id);
    return r === undefined ? 0 : (sums.get(r) ?? 0);
  });
}

const HEADER_BYTES = 32;
const pad4 = (n: number) => (n + 3) & ~3;

/** The table as the release artifact stores it. */
export function encodeStepTable(t: StepTable): Uint8Array {
  checkStepTable(t, 'steps');
  const text = t.ids.join('\n');
  const ids = new Uint8Array(utf8Length(text));
  writeUtf8(text, ids, 0);
  const rows = t.ids.length;
  const cells = rows * t.width;
  const idsEnd = HEADER_BYTES + pad4(ids.length);
  const neighboursEnd = idsEnd + pad4(cells * 2);
  const scalesEnd = neighboursEnd + rows * 4;
  const bytes = new Uint8Array(scalesEnd + cells);
  const view = new DataView(bytes.buffer);
  let events = 0;
  for (const e of t.events) events |= 1 << EVENT_TYPES.indexOf(e);
  [STEP_TABLE_MAGIC, STEP_TABLE_VERSION, rows, t.width, t.entries].forEach((v, k) => view.setUint32(k * 4, v, true));
  view.setFloat32(20, t.decay, true);
  view.setUint32(24, events, true);
  view.setUint32(28, ids.length, true);
  bytes.set(ids, HEADER_BYTES);
  for (let k = 0; k < cells; k++) view.setUint16(idsEnd + k * 2, t.neighbours[k]!, true);
  for (let r = 0; r < rows; r++) view.setFloat32(neighboursEnd + r * 4, t.scales[r]!, true);
  bytes.set(t.levels, scalesEnd);
  return bytes;
}

/** Reads a step table artifact; a ValidationError names what is wrong with it. */
export function decodeStepTable(bytes: Uint8Array, field = 'steps'): StepTable {
  if (bytes.length < HEADER_BYTES) throw new ValidationError(field, `${bytes.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (k: number) => view.getUint32(k * 4, true);
  if (u32(0) !== STEP_TABLE_MAGIC) throw new ValidationError(field, 'not a step table (bad magic)');
  if (u32(1) !== STEP_TABLE_VERSION) throw new ValidationError(field, `version ${u32(1)}; this code reads version ${STEP_TABLE_VERSION} (rebuild the release with this version of ondeck)`);
  const rows = u32(2);
  const width = u32(3);
  const idBytes = u32(7);
  const cells = rows * width;
  const idsEnd = HEADER_BYTES + pad4(idBytes);
  const neighboursEnd = idsEnd + pad4(cells * 2);
  const scalesEnd = neighboursEnd + rows * 4;
  const expected = scalesEnd + cells;
  if (bytes.length !== expected) {
    throw new ValidationError(
      field,
      `${bytes.length} bytes, expected ${expected} for ${rows} rows × ${width} neighbours and ${idBytes} bytes of ids (damaged, or written by another version of ondeck: rebuild the release)`,
    );
  }
  const mask = u32(6);
  const events = EVENT_TYPES.filter((_, k) => mask & (1 << k));
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + idBytes));
  const neighbours = new Uint16Array(cells);
  const scales = new Float32Array(rows);
  for (let k = 0; k < cells; k++) neighbours[k] = view.getUint16(idsEnd + k * 2, true);
  for (let r = 0; r < rows; r++) scales[r] = view.getFloat32(neighboursEnd + r * 4, true);
  const levels = bytes.slice(scalesEnd, expected);
  const table: StepTable = { ids: rows === 0 ? [] : text.split('\n'), width, neighbours, levels, scales, entries: u32(4), decay: view.getFloat32(20, true), events };
  checkStepTable(table, field);
  return table;
}

/** Throws a ValidationError naming the first thing wrong with `t`. */
export function checkStepTable(t: StepTable, field: string): void {
  const rows = t.ids.length;
  if (rows > STEP_TABLE_MAX_ROWS) throw new ValidationError(`${field}.ids`, `${rows} rows; a table holds at most ${STEP_TABLE_MAX_ROWS}`);
  if (new Set(t.ids).size !== rows) throw new ValidationError(`${field}.ids`, 'an item id appears twice');
  if (t.ids.some((id) => id.length === 0 || id.includes('\n'))) throw new ValidationError(`${field}.ids`, 'an item id is empty or holds a line break');
  if (!Number.isInteger(t.width) || t.width < 1) throw new ValidationError(`${field}.width`, `must be a positive integer, got ${t.width}`);
  if (!Number.isInteger(t.entries) || t.entries < 1) throw new ValidationError(`${field}.entries`, `must be a positive integer, got ${t.entries}`);
  if (!(t.decay > 0 && t.decay <= 1)) throw new ValidationError(`${field}.decay`, `must be in (0, 1], got ${t.decay}`);
  if (t.events.length === 0 || t.events.some((e) => !EVENT_TYPES.includes(e))) throw new ValidationError(`${field}.events`, `must name event types of ${EVENT_TYPES.join(', ')}`);
  const cells = rows * t.width;
  if (t.neighbours.length !== cells || t.levels.length !== cells) throw new ValidationError(field, `needs ${cells} neighbours and levels (${rows} rows × ${t.width}), got ${t.neighbours.length} and ${t.levels.length}`);
  if (t.scales.length !== rows) throw new ValidationError(`${field}.scales`, `needs one per row (${rows}), got ${t.scales.length}`);
  for (let r = 0; r < rows; r++) {
    if (!(Number.isFinite(t.scales[r]!) && t.scales[r]! >= 0)) throw new ValidationError(`${field}.scales[${r}]`, `must be finite and ≥ 0, got ${t.scales[r]}`);
  }
  for (let k = 0; k < cells; k++) {
    const j = t.neighbours[k]!;
    if (j !== NO_NEIGHBOUR && j >= rows) throw new ValidationError(`${field}.neighbours[${k}]`, `row ${j} does not exist (${rows} rows)`);
  }
}
