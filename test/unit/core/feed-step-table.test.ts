// The step table (src/core/feed/step-table.ts): its artifact format and the sequence score the
// pipeline and the worker both read from it.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import type { HistoryEntry } from '../../../src/core/features/index.ts';
import { parseFeatureSpec } from '../../../src/core/features/index.ts';
import {
  NO_NEIGHBOUR,
  decodeStepTable,
  encodeStepTable,
  readsSequenceScore,
  sequenceItems,
  sequenceScores,
  stepRows,
  type StepTable,
} from '../../../src/core/feed/step-table.ts';

// Rows a, b, c, d; two neighbours each.
const table = (): StepTable => ({
  ids: ['a', 'b', 'c', 'ü-d'],
  width: 2,
  neighbours: Uint16Array.from([1, 2, 2, NO_NEIGHBOUR, 3, 0, NO_NEIGHBOUR, NO_NEIGHBOUR]),
  // Weights a: 0.5, 0.25; b: 1; c: 2, 0.125 (level × the row's scale).
  levels: Uint8Array.from([2, 1, 1, 0, 16, 1, 0, 0]),
  scales: Float32Array.from([0.25, 1, 0.125, 0]),
  entries: 2,
  decay: 0.5,
  events: ['like', 'skip'],
});

const entry = (id: string, type: HistoryEntry['type'], at: number): HistoryEntry => ({ item: { id }, type, at });

describe('step table', () => {
  it('round-trips through its artifact bytes, exactly', () => {
    const t = table();
    const back = decodeStepTable(encodeStepTable(t));
    expect(back.ids).toEqual(t.ids);
    expect(back.width).toBe(2);
    expect(Array.from(back.neighbours)).toEqual(Array.from(t.neighbours));
    expect(Array.from(back.levels)).toEqual(Array.from(t.levels));
    expect(Array.from(back.scales)).toEqual(Array.from(t.scales));
    expect(back.entries).toBe(2);
    expect(back.decay).toBe(0.5);
    expect(back.events).toEqual(['like', 'skip']);
  });

  it('refuses damaged or inconsistent bytes with an error naming the problem', () => {
    const bytes = encodeStepTable(table());
    expect(() => decodeStepTable(bytes.subarray(0, 10))).toThrow(/shorter than the 32-byte header/);
    expect(() => decodeStepTable(bytes.subarray(0, bytes.length - 4))).toThrow(/bytes, expected/);
    const magic = bytes.slice();
    magic[0] = 0;
    expect(() => decodeStepTable(magic)).toThrow(/bad magic/);
    const version = bytes.slice();
    version[4] = 9;
    expect(() => decodeStepTable(version)).toThrow(/version 9/);
    expect(() => encodeStepTable({ ...table(), neighbours: Uint16Array.from([1, 2, 2, 7, 3, 0, 0, 0]) })).toThrow(ValidationError);
    expect(() => encodeStepTable({ ...table(), neighbours: Uint16Array.from([1, 2, 2, 7, 3, 0, 0, 0]) })).toThrow(/steps.neighbours\[3\]: row 7 does not exist/);
    expect(() => encodeStepTable({ ...table(), scales: Float32Array.from([1, NaN, 1, 1]) })).toThrow(/scales\[1\]: must be finite/);
    expect(() => encodeStepTable({ ...table(), scales: Float32Array.from([1, 1]) })).toThrow(/scales: needs one per row \(4\), got 2/);
    expect(() => encodeStepTable({ ...table(), ids: ['a', 'a', 'c', 'd'] })).toThrow(/appears twice/);
    expect(() => encodeStepTable({ ...table(), decay: 0 })).toThrow(/decay/);
  });

  it('reads the newest distinct items of its event types, newest first, at most `entries`', () => {
    const t = { ...table(), entries: 3 };
    const history = [entry('a', 'like', 1), entry('b', 'impression', 5), entry('c', 'skip', 3), entry('a', 'like', 4), entry('ü-d', 'like', 3)];
    // Times 4 (a), 3 (c then ü-d: later in the log is newer), 1 (a again: already taken).
    expect(sequenceItems(t, history)).toEqual(['a', 'ü-d', 'c']);
    expect(sequenceItems({ ...t, entries: 1 }, history)).toEqual(['a']);
    expect(sequenceItems(t, [])).toEqual([]);
  });

  it('scores each candidate Σ decay^k · weight in row k of the newest items', () => {
    const t = table();
    const rows = stepRows(t);
    // Newest a (weight 1): b 0.5, c 0.25. Then c (weight 0.5): ü-d 2 → 1, a 0.125 → 0.0625.
    const s = sequenceScores(t, rows, ['a', 'c'], ['a', 'b', 'c', 'ü-d', 'unknown']);
    expect(Array.from(s)).toEqual([0.0625, 0.5, 0.25, 1, 0]);
    // An item outside the table takes its step (and its decay) but adds nothing.
    expect(Array.from(sequenceScores(t, rows, ['zz', 'a'], ['b', 'c']))).toEqual([0.25, 0.125]);
    expect(Array.from(sequenceScores(t, rows, [], ['a']))).toEqual([0]);
  });

  it('says whether a spec reads the score', () => {
    const spec = (source: string) => parseFeatureSpec({ version: 1, hashSeed: 0, features: [{ name: 'x', kind: 'numeric', source }] }, 'spec');
    expect(readsSequenceScore(spec('context.historySequenceScore'))).toBe(true);
    expect(readsSequenceScore(spec('context.retrievalScore'))).toBe(false);
  });
});
