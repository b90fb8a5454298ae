// The Postgres adapter writes a pseudonymous batch's array parameters in one pass
// (eventBatchParams); they must be exactly the literals of the column form (eventColumns and
// countColumns(countEvents(...)) through textArray / numberArray), for any batch.
import { describe, expect, it } from 'vitest';
import type { PseudonymousBatch, WireEvent } from '../../../src/core/sync/wire.ts';
import { countEvents } from '../../../src/server/store/day-counts.ts';
import { countColumns, eventBatchParams, eventColumns, numberArray, textArray } from '../../../src/server/store/postgres/ingest-rows.ts';

const DAY = 86_400_000;
const D = Date.UTC(2026, 10, 20);

function reference(batch: PseudonymousBatch): string[] {
  const e = eventColumns(batch);
  const c = countColumns(countEvents(batch.events.map((x) => ({ item: x.itemId, type: x.type, at: x.at, feed: batch.feed, watchSeconds: x.watchSeconds, watchFraction: x.watchFraction }))));
  return [textArray(e.items), textArray(e.types), numberArray(e.ats), numberArray(e.watchSeconds), numberArray(e.watchFractions), textArray(c.items), textArray(c.days), ...c.values.map(numberArray)];
}

function batchOf(events: WireEvent[]): PseudonymousBatch {
  return { mode: 'pseudonymous', batchId: 'batch-rows-01', installId: 'inst', releaseId: null, feed: 'home', events };
}

describe('eventBatchParams', () => {
  it('writes the same literals as the column form: escapes, nulls, fractional times, repeats, several days', () => {
    const batch = batchOf([
      { type: 'impression', itemId: 'b', at: D + 5 },
      { type: 'watch', itemId: 'say "hi"\\now', at: D + 1.5, watchSeconds: 12.25, watchFraction: 0.1 },
      { type: 'click', itemId: 'b', at: D + 7 },
      // Just before midnight: stored rounded into the next day, counted on the day as sent.
      { type: 'impression', itemId: 'a', at: D - 0.4 },
      { type: 'watch', itemId: 'b', at: D + DAY + 3, watchSeconds: 0.1, watchFraction: 0.2 },
      { type: 'watch', itemId: 'b', at: D + DAY + 4, watchSeconds: 0.2, watchFraction: 0.7 },
      { type: 'skip', itemId: 'NULL', at: D - 3 * DAY, watchSeconds: 4 },
      { type: 'like', itemId: 'a,b {c}', at: D + 9 },
      { type: 'hide', itemId: 'é日本', at: D + 10 },
      { type: 'impression', itemId: 'B', at: D + 11 },
    ]);
    const p = eventBatchParams(batch);
    expect(p.arrays).toEqual(reference(batch));
    // Spot checks against hand-written values, so the reference itself is pinned too.
    expect(p.arrays[0]).toBe('{"b","say \\"hi\\"\\\\now","b","a","b","b","NULL","a,b {c}","é日本","B"}');
    expect(p.arrays[2]).toBe(`{${D + 5},${D + 2},${D + 7},${D},${D + DAY + 3},${D + DAY + 4},${D - 3 * DAY},${D + 9},${D + 10},${D + 11}}`);
    // b on 2026-11-21: two watches, 0.1 + 0.2 s, fractions 0.2 + 0.7 (summed in event order).
    const col = (j: number) => p.arrays[j]!.slice(1, -1).split(',');
    // Only b has events on 2026-11-21 (day and number columns hold no commas to split on).
    const bIndex = col(6).indexOf('"2026-11-21"');
    expect(bIndex).toBeGreaterThanOrEqual(0);
    expect(col(9)[bIndex]).toBe('2');
    expect(col(13)[bIndex]).toBe(String(0.1 + 0.2));
    expect(col(14)[bIndex]).toBe(String(0.2 + 0.7));
    // Counter rows sorted by day, then item: the skip of 11-17 first.
    expect(col(6)[0]).toBe('"2026-11-17"');
    expect(p.days.sort((x, y) => x - y)).toEqual([D / DAY - 3, D / DAY, D / DAY + 1]);
  });

  it('matches the column form on bench-like batches of 100 events', () => {
    for (let n = 0; n < 20; n++) {
      const batch = batchOf(
        Array.from({ length: 100 }, (_, i): WireEvent => {
          const itemId = `item-${(n * 104729 + i * 31) % 50}`;
          const at = D - ((i * 997 + n * 13) % 3_600_000) * 40;
          return i % 10 === 9 ? { type: 'watch', itemId, at, watchSeconds: i / 3, watchFraction: 1 / (i + 1) } : { type: i % 10 < 7 ? 'impression' : 'click', itemId, at };
        }),
      );
      expect(eventBatchParams(batch).arrays).toEqual(reference(batch));
    }
  });
});
