import { describe, expect, it } from 'vitest';
import { formatCount, formatMetric, formatRatio } from '../../../src/pipeline/report/index.ts';
import { formatDuration, formatPercent } from '../../../src/pipeline/report/format.ts';
import { bestFeedBaseline, bestRetrievalBaseline, feedRows, isRateMetric, servedRatio } from '../../../src/pipeline/report/headline.ts';
import { markdownTable } from '../../../src/pipeline/report/markdown-table.ts';
import { niceTicks } from '../../../src/pipeline/report/ticks.ts';

describe('formatMetric', () => {
  it('gives 4 significant digits and keeps trailing zeros', () => {
    expect(formatMetric(0.123449)).toBe('0.1234');
    expect(formatMetric(0.0821)).toBe('0.08210');
    expect(formatMetric(1)).toBe('1.000');
    expect(formatMetric(0)).toBe('0.000');
    expect(formatMetric(-0.5)).toBe('-0.5000');
    expect(formatMetric(41.3)).toBe('41.30');
  });

  it('writes large values out and keeps the exponent for tiny ones', () => {
    expect(formatMetric(12345.6)).toBe('12350');
    expect(formatMetric(1234567)).toBe('1235000');
    expect(formatMetric(0.000012346)).toBe('0.00001235');
    expect(formatMetric(1.2345e-9)).toBe('1.235e-9');
  });

  it('prints a missing metric as a dash', () => {
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(undefined)).toBe('—');
    expect(formatMetric(NaN)).toBe('—');
    expect(formatMetric(Infinity)).toBe('∞');
  });
});

describe('formatRatio and friends', () => {
  it('divides model by baseline, and refuses a zero or missing baseline', () => {
    expect(formatRatio(0.3321, 0.2287)).toBe('1.452×');
    expect(formatRatio(0.5, 0.5)).toBe('1.000×');
    expect(formatRatio(0.1, 0)).toBe('—');
    expect(formatRatio(null, 0.2)).toBe('—');
    expect(formatRatio(0.2, null)).toBe('—');
  });

  it('formats counts, durations and percentages', () => {
    expect(formatCount(100000)).toBe('100,000');
    expect(formatCount(0.5)).toBe('0.5000');
    expect(formatDuration(0.41234)).toBe('0.4123 s');
    expect(formatDuration(59.99)).toBe('59.99 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatPercent(0.4567)).toBe('45.7%');
    expect(formatPercent(0.8)).toBe('80%');
  });

  it('tells rates from the counts an evaluator carries along', () => {
    for (const k of ['recall@50', 'ndcg@10', 'auc', 'logloss', 'coverage', 'diversity']) expect(isRateMetric(k), k).toBe(true);
    for (const k of ['users', 'relevant', 'rows', 'k']) expect(isRateMetric(k), k).toBe(false);
  });
});

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten and covers the data', () => {
    expect(niceTicks(0, 0.4712, 6)).toMatchObject({ lo: 0, hi: 0.5, step: 0.1, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5], decimals: 1 });
    expect(niceTicks(4.44, 6.12, 6)).toMatchObject({ lo: 4, hi: 6.5, step: 0.5, decimals: 1 });
    expect(niceTicks(0.539, 0.642, 6)).toMatchObject({ lo: 0.5, hi: 0.65, step: 0.05, ticks: [0.5, 0.55, 0.6, 0.65], decimals: 2 });
    expect(niceTicks(10, 200, 6)).toMatchObject({ lo: 0, hi: 200, step: 50 });
  });

  it('widens a one-value or empty range', () => {
    expect(niceTicks(2, 2, 6).ticks.length).toBeGreaterThan(1);
    expect(niceTicks(Infinity, -Infinity, 6)).toMatchObject({ lo: 0, hi: 1 });
  });

  it('keeps integer axes tight: every epoch when few, whole steps when many', () => {
    expect(niceTicks(1, 8, 6, { integer: true })).toEqual({ lo: 1, hi: 8, step: 1, ticks: [1, 2, 3, 4, 5, 6, 7, 8], decimals: 0 });
    expect(niceTicks(1, 50, 6, { integer: true })).toEqual({ lo: 1, hi: 50, step: 10, ticks: [1, 10, 20, 30, 40, 50], decimals: 0 });
    expect(niceTicks(1, 1, 6, { integer: true }).ticks).toEqual([0, 1, 2]);
  });
});

describe('markdownTable', () => {
  it('pads columns, right-aligns numbers and escapes pipes', () => {
    expect(markdownTable(['a', 'num'], [['x|y', '1.5'], ['long text', '10.25']], ['left', 'right'])).toBe(
      ['| a         |   num |', '| --------- | ----: |', '| x\\|y      |   1.5 |', '| long text | 10.25 |'].join('\n'),
    );
  });
});

describe('feed rows and the best baseline', () => {
  const f = (ndcg: number | null) => ({ 'ndcg@10': ndcg, 'precision@10': 0.1, 'map@10': 0.1 });

  it('lists the feeds present in display order, `dcn` standing in for a missing `ranked`', () => {
    const rows = feedRows({ served: f(0.3), dcn: f(0.31), popularity: f(0.1), ease: f(0.25) });
    expect(rows.map((r) => [r.key, r.name])).toEqual([
      ['served', 'served feed'],
      ['ranked', 'ranked (before re-ranking)'],
      ['ease', 'EASE'],
      ['popularity', 'most-popular'],
    ]);
    expect(rows[1]!.metrics['ndcg@10']).toBe(0.31);
  });

  it('picks the best baseline feed by NDCG@10, never the served or ranked feed, and skips nulls', () => {
    const feed = { served: f(0.3), dcn: f(0.5), ranked: f(0.5), twoTower: f(0.2), ease: f(null), itemKnn: f(0.24), popularity: f(0.1) };
    expect(bestFeedBaseline(feed).key).toBe('itemKnn');
    expect(formatRatio(servedRatio(feed), 1)).toBe('1.250×');
    expect(bestFeedBaseline({ served: f(0.3), dcn: f(0.3), popularity: f(null) }).key).toBe('popularity');
  });

  it('picks the better retrieval baseline, popularity when EASE is absent', () => {
    const r = (x: number) => ({ 'recall@50': x, 'recall@100': x });
    expect(bestRetrievalBaseline({ twoTower: r(0.5), popularity: r(0.2), ease: r(0.4) }, 'recall@100')).toBe('ease');
    expect(bestRetrievalBaseline({ twoTower: r(0.5), popularity: r(0.2) }, 'recall@100')).toBe('popularity');
  });
});
