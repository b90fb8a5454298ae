// Fitting the step table (src/pipeline/train/step-table.ts) on users' time-ordered events.
import { describe, expect, it } from 'vitest';
import { NO_NEIGHBOUR } from '../../../src/core/feed/step-table.ts';
import type { Interaction } from '../../../src/pipeline/data/index.ts';
import { fitStepTable } from '../../../src/pipeline/train/step-table.ts';

const x = (user: string, item: string, at: number, type: Interaction['type'] = 'like'): Interaction => ({ user, item, at, type, label: type === 'like' ? 1 : 0 });

describe('fitStepTable', () => {
  it('weighs what came after each item by step, normalised by both counts, strongest first', () => {
    // u1: a b c; u2: a c; an impression and an item outside the rows do not count.
    const train = [x('u1', 'a', 1), x('u1', 'b', 2), x('u1', 'z', 3), x('u1', 'c', 4), x('u2', 'a', 1), x('u2', 'q', 2, 'impression'), x('u2', 'c', 5, 'skip')];
    const t = fitStepTable(train, ['a', 'b', 'c'], { events: ['like', 'skip'], window: 2, stepDecay: 0.5, width: 2 });
    expect(t.ids).toEqual(['a', 'b', 'c']);
    // counts a 2, b 1, c 2. a→b: 1/√2; a→c: (0.5 + 1)/√4 = 0.75; b→c: 1/√2; c: nothing after it.
    expect(Array.from(t.neighbours)).toEqual([2, 1, 2, NO_NEIGHBOUR, NO_NEIGHBOUR, NO_NEIGHBOUR]);
    // Stored as bytes of the row's largest / 255: a's 1/√2 is level round(255 · (1/√2) / 0.75) = 240.
    expect(Array.from(t.levels)).toEqual([255, 240, 255, 0, 0, 0]);
    expect(t.scales[0]).toBeCloseTo(0.75 / 255, 9);
    expect(t.scales[1]).toBeCloseTo(Math.SQRT1_2 / 255, 9);
    expect(t.scales[2]).toBe(0);
    expect(t.levels[1]! * t.scales[0]!).toBeCloseTo(Math.SQRT1_2, 2);
    expect(t.events).toEqual(['like', 'skip']);
  });

  it('keeps `width` neighbours and only steps within the window', () => {
    const train = ['a', 'b', 'c', 'd'].map((item, k) => x('u', item, k));
    const t = fitStepTable(train, ['a', 'b', 'c', 'd'], { events: ['like'], window: 1, width: 1 });
    expect(Array.from(t.neighbours)).toEqual([1, 2, 3, NO_NEIGHBOUR]);
    expect(() => fitStepTable(train, ['a'], { events: ['like'], window: 0 })).toThrow(/window: must be a positive integer/);
  });
});
