// What validation keeps of the retrieval grid (src/pipeline/build/item-item-choice.ts).
import { describe, expect, it } from 'vitest';
import { pickSetting } from '../../../src/pipeline/build/item-item-choice.ts';

describe('retrieval setting choice', () => {
  // MovieLens-100K's validation grid (rounded): 300 wins by 0.1%, within the tolerance.
  const short = { historyLength: 50, halfLifeEvents: 8, ndcg: 0.1784 };
  const long = { historyLength: 300, halfLifeEvents: 8, ndcg: 0.1786 };

  it('keeps the shorter history when the longer wins by less than the tolerance', () => {
    expect(pickSetting([short, { historyLength: 50, halfLifeEvents: 16, ndcg: 0.175 }, long], 0.005)).toBe(short);
  });

  it('takes the longer history when it wins by more (ml-latest-small: long histories, no recency)', () => {
    const longWins = { historyLength: 300, halfLifeEvents: null, ndcg: 0.1341 };
    expect(pickSetting([{ historyLength: 50, halfLifeEvents: 8, ndcg: 0.1294 }, longWins], 0.005)).toBe(longWins);
  });

  it('picks the best score with no tolerance, the first tried on a tie', () => {
    expect(pickSetting([short, long], 0)).toBe(long);
    const tie = { historyLength: 50, halfLifeEvents: 16, ndcg: 0.1784 };
    expect(pickSetting([short, tie], 0)).toBe(short);
  });
});
