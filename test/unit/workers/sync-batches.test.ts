// The sync queue's batches, built without a server: the pseudonymous and aggregate bodies within
// the wire limits, and the local-DP noise (seeded, so every value is asserted).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random.ts';
import { BATCH_ID_PATTERN, DEFAULT_AGGREGATE_EPSILON, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_WATCH_CLIP_SECONDS, MAX_WATCH_SECONDS } from '../../../src/core/sync/wire.ts';
import type { AggregateBatch, PseudonymousBatch } from '../../../src/core/sync/wire.ts';
import { addNoise, batchBuilder, utcDay } from '../../../workers/sync/batch-builder.ts';
import type { BuildOptions } from '../../../workers/sync/batch-builder.ts';
import { backoffCap, parseRetryAfter, retryDelay } from '../../../workers/sync/backoff.ts';
import { laplace, twoSidedGeometric } from '../../../workers/sync/noise.ts';
import { resolveSyncOptions } from '../../../workers/sync/options.ts';
import { newBatchId, newInstallId, secureRandom } from '../../../workers/sync/random-ids.ts';
import type { LogEvent } from '../../../workers/sync/sync-log.ts';

const DAY0 = Date.UTC(2025, 2, 10); // 2025-03-10T00:00Z

function options(over: Partial<BuildOptions> = {}): BuildOptions {
  let n = 0;
  return {
    mode: 'aggregate',
    feed: 'home',
    releaseId: 'r-1',
    epsilon: null,
    random: mulberry32(7),
    maxEvents: MAX_BATCH_EVENTS,
    maxBytes: MAX_BATCH_BYTES,
    newBatchId: () => `batch-${String(++n).padStart(4, '0')}`,
    ...over,
  };
}

function ev(seq: number, type: LogEvent['type'], itemId: string, at: number, extra: Partial<LogEvent> = {}): LogEvent {
  return { seq, type, itemId, at, ...extra };
}

describe('pseudonymous batches', () => {
  it('carries the events with the install id, watch seconds clipped, times in whole ms', () => {
    const build = batchBuilder(options({ mode: 'pseudonymous', installId: 'i_abc' }));
    const built = build([
      ev(1, 'impression', 'a', DAY0 + 0.4),
      ev(2, 'watch', 'a', DAY0 + 10, { watchSeconds: MAX_WATCH_SECONDS + 5, watchFraction: 1 }),
      ev(3, 'like', 'b', DAY0 + 20),
    ]);
    expect(built.take).toBe(3);
    expect(built.batchId).toBe('batch-0001');
    const body = JSON.parse(built.body) as PseudonymousBatch;
    expect(body).toEqual({
      batchId: 'batch-0001',
      mode: 'pseudonymous',
      releaseId: 'r-1',
      feed: 'home',
      installId: 'i_abc',
      events: [
        { type: 'impression', itemId: 'a', at: DAY0 },
        { type: 'watch', itemId: 'a', at: DAY0 + 10, watchSeconds: MAX_WATCH_SECONDS, watchFraction: 1 },
        { type: 'like', itemId: 'b', at: DAY0 + 20 },
      ],
    });
  });

  it('takes at most maxEvents events and stays under maxBytes, counting bytes exactly', () => {
    const events = Array.from({ length: 700 }, (_, i) => ev(i + 1, 'click', `item-${i}`, DAY0 + i));
    const byCount = batchBuilder(options({ mode: 'pseudonymous', installId: 'i_x' }))(events);
    expect(byCount.take).toBe(MAX_BATCH_EVENTS);
    expect((JSON.parse(byCount.body) as PseudonymousBatch).events.map((e) => e.itemId)).toEqual(events.slice(0, 500).map((e) => e.itemId));

    // Item ids of 256 characters (multi-byte ones too): the byte limit binds before the count.
    const long = Array.from({ length: 500 }, (_, i) => ev(i + 1, 'click', `é${String(i).padStart(4, '0')}`.padEnd(256, 'x'), DAY0 + i));
    const maxBytes = 20_000;
    const bySize = batchBuilder(options({ mode: 'pseudonymous', installId: 'i_x', maxBytes }))(long);
    const bytes = new TextEncoder().encode(bySize.body).length;
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    // One more event would not have fitted.
    const one = new TextEncoder().encode(JSON.stringify({ type: 'click', itemId: long[bySize.take]!.itemId, at: long[bySize.take]!.at })).length;
    expect(bytes + one + 1).toBeGreaterThan(maxBytes);
    expect(bySize.take).toBe((JSON.parse(bySize.body) as PseudonymousBatch).events.length);
    expect(bySize.take).toBeGreaterThan(50);
  });
});

describe('aggregate batches', () => {
  it('counts exactly per item and UTC day without noise, with no identifiers', () => {
    const before = DAY0 - 1; // 2025-03-09T23:59:59.999Z
    const events = [
      ev(1, 'impression', 'a', before),
      ev(2, 'impression', 'a', DAY0),
      ev(3, 'click', 'a', DAY0 + 1),
      ev(4, 'watch', 'a', DAY0 + 2, { watchSeconds: 90, watchFraction: 0.5 }),
      ev(5, 'watch', 'a', DAY0 + 3, { watchSeconds: 30, watchFraction: 0.25 }),
      ev(6, 'impression', 'b', DAY0 + 4),
      ev(7, 'hide', 'b', DAY0 + 5),
      ev(8, 'skip', 'b', DAY0 + 6),
      ev(9, 'like', 'a', DAY0 + 7),
      ev(10, 'watch', 'b', DAY0 + 8),
    ];
    const built = batchBuilder(options())(events);
    expect(built.take).toBe(10);
    const body = JSON.parse(built.body) as AggregateBatch;
    expect(body).toEqual({
      batchId: 'batch-0001',
      mode: 'aggregate',
      releaseId: 'r-1',
      feed: 'home',
      counts: [
        { itemId: 'a', day: '2025-03-09', impressions: 1, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 },
        { itemId: 'a', day: '2025-03-10', impressions: 1, clicks: 1, watches: 2, likes: 1, hides: 0, skips: 0, watchSeconds: 120, watchFractionSum: 0.75 },
        { itemId: 'b', day: '2025-03-10', impressions: 1, clicks: 0, watches: 1, likes: 0, hides: 1, skips: 1, watchSeconds: 0, watchFractionSum: 0 },
      ],
    });
    expect(body).not.toHaveProperty('installId');
    expect(body).not.toHaveProperty('noise');
    expect(utcDay(before)).toBe('2025-03-09');
  });

  it('folds many events into at most maxEvents rows', () => {
    // 3 rows' worth of items, 40 events each; then a 4th item.
    const events: LogEvent[] = [];
    for (let i = 0; i < 120; i++) events.push(ev(i + 1, 'impression', `item-${i % 3}`, DAY0 + i));
    events.push(ev(121, 'click', 'item-3', DAY0 + 500));
    const built = batchBuilder(options({ maxEvents: 3 }))(events);
    expect(built.take).toBe(120);
    const body = JSON.parse(built.body) as AggregateBatch;
    expect(body.counts.map((r) => [r.itemId, r.impressions])).toEqual([
      ['item-0', 40],
      ['item-1', 40],
      ['item-2', 40],
    ]);
  });

  it('adds seeded noise: integer counts, the mechanism named, clipped watch time; the same seed gives the same body', () => {
    const events = [
      ev(1, 'watch', 'a', DAY0, { watchSeconds: 5000, watchFraction: 1 }),
      ev(2, 'impression', 'a', DAY0 + 1),
    ];
    const a = batchBuilder(options({ epsilon: 1, random: mulberry32(42) }))(events);
    const b = batchBuilder(options({ epsilon: 1, random: mulberry32(42) }))(events);
    expect(a.body).toBe(b.body);
    const body = JSON.parse(a.body) as AggregateBatch;
    expect(body.noise).toEqual({ mechanism: 'geometric', epsilon: 1 });
    const row = body.counts[0]!;
    // The noise it added is exactly what the seeded generator draws in this order.
    const exact = { itemId: 'a', day: '2025-03-10', impressions: 1, clicks: 0, watches: 1, likes: 0, hides: 0, skips: 0, watchSeconds: MAX_WATCH_CLIP_SECONDS, watchFractionSum: 1 };
    addNoise(exact, 1, mulberry32(42));
    expect(row).toEqual(exact);
    for (const k of ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const) expect(Number.isInteger(row[k])).toBe(true);
    // With a different seed the noise differs: it is not a constant offset.
    const c = JSON.parse(batchBuilder(options({ epsilon: 1, random: mulberry32(43) }))(events).body) as AggregateBatch;
    expect(c.counts[0]).not.toEqual(row);
  });
});

describe('noise', () => {
  const N = 200_000;

  it('two-sided geometric noise has mean zero and variance 2α/(1-α)² (α = e^-ε), integer values', () => {
    for (const epsilon of [0.5, 1, 2]) {
      const random = mulberry32(Math.round(epsilon * 1000));
      let sum = 0;
      let sq = 0;
      let zeros = 0;
      for (let i = 0; i < N; i++) {
        const x = twoSidedGeometric(epsilon, random);
        if (!Number.isInteger(x)) throw new Error(`not an integer: ${x}`);
        sum += x;
        sq += x * x;
        if (x === 0) zeros++;
      }
      const alpha = Math.exp(-epsilon);
      const variance = (2 * alpha) / (1 - alpha) ** 2;
      const mean = sum / N;
      // Standard error of the mean is sqrt(variance / N); 5 of them is far outside chance.
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(variance / N));
      expect(sq / N / variance).toBeGreaterThan(0.95);
      expect(sq / N / variance).toBeLessThan(1.05);
      // P(0) = (1 - α) / (1 + α).
      expect(zeros / N).toBeCloseTo((1 - alpha) / (1 + alpha), 2);
    }
  });

  it('Laplace noise has mean zero and variance 2·scale²', () => {
    const random = mulberry32(5);
    const scale = 600;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < N; i++) {
      const x = laplace(scale, random);
      sum += x;
      sq += x * x;
    }
    expect(Math.abs(sum / N)).toBeLessThan(5 * Math.sqrt((2 * scale * scale) / N));
    expect(sq / N / (2 * scale * scale)).toBeGreaterThan(0.95);
    expect(sq / N / (2 * scale * scale)).toBeLessThan(1.05);
  });

  it('leaves the sum over many devices unbiased', () => {
    // 20,000 devices each reporting 3 impressions of one item with epsilon 1.
    const random = mulberry32(99);
    let total = 0;
    const devices = 20_000;
    for (let d = 0; d < devices; d++) {
      const row = { itemId: 'a', day: '2025-03-10', impressions: 3, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 };
      addNoise(row, 1, random);
      total += row.impressions;
    }
    const alpha = Math.exp(-1);
    const sd = Math.sqrt((devices * 2 * alpha) / (1 - alpha) ** 2);
    expect(Math.abs(total - 3 * devices)).toBeLessThan(5 * sd);
  });
});

describe('backoff', () => {
  const o = { baseMs: 1000, maxMs: 60_000, retryAfterMaxMs: 3_600_000 };

  it('doubles the cap per failure up to the maximum; the delay is uniform under it (full jitter)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((f) => backoffCap(f, o))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(retryDelay(3, null, () => 0, o)).toBe(0);
    expect(retryDelay(3, null, () => 0.5, o)).toBe(2000);
    expect(retryDelay(3, null, () => 0.999999, o)).toBe(3999);
  });

  it('never comes back before Retry-After, and cuts an absurd one', () => {
    expect(retryDelay(1, 7000, () => 0.5, o)).toBe(7000);
    expect(retryDelay(8, 7000, () => 0.5, o)).toBe(30000);
    expect(retryDelay(1, 86_400_000, () => 0.5, o)).toBe(3_600_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('ids and options', () => {
  it('makes batch and install ids the wire accepts, all different', () => {
    const pattern = new RegExp(BATCH_ID_PATTERN);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = newBatchId();
      expect(id).toMatch(pattern);
      expect(id).toHaveLength(23);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
    expect(newInstallId()).toMatch(/^i_[A-Za-z0-9_-]{21}$/);
    for (let i = 0; i < 1000; i++) {
      const u = secureRandom();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  it('checks the sync options and names the field', () => {
    expect(resolveSyncOptions({ appKey: 'k' }, 'http://127.0.0.1:5173')).toEqual({
      server: 'http://127.0.0.1:5173',
      appKey: 'k',
      mode: 'aggregate',
      // Local-DP noise is on by default in aggregate mode, at the epsilon servers accept by default.
      epsilon: DEFAULT_AGGREGATE_EPSILON,
      feed: 'default',
      // Rare items are held back with noise on; exact counts count every item.
      minItemPopularity: 20,
    });
    expect(resolveSyncOptions({ appKey: 'k', epsilon: null }, 'http://a').minItemPopularity).toBe(0);
    expect(resolveSyncOptions({ appKey: 'k', minItemPopularity: 0 }, 'http://a').minItemPopularity).toBe(0);
    expect(() => resolveSyncOptions({ appKey: 'k', minItemPopularity: -1 }, 'http://a')).toThrow(/sync\.minItemPopularity/);
    expect(() => resolveSyncOptions({ appKey: 'k', mode: 'pseudonymous', minItemPopularity: 5 }, 'http://a')).toThrow(/sync\.minItemPopularity/);
    expect(resolveSyncOptions({ appKey: 'k', epsilon: null }, 'http://a').epsilon).toBeNull();
    expect(resolveSyncOptions({ appKey: 'k', epsilon: 0.5 }, 'http://a').epsilon).toBe(0.5);
    expect(resolveSyncOptions({ appKey: 'k', mode: 'pseudonymous' }, 'http://a').epsilon).toBeNull();
    expect(resolveSyncOptions({ appKey: 'k', server: 'https://x.example/api/', mode: 'pseudonymous', feed: 'f' }, null).server).toBe('https://x.example/api');
    expect(() => resolveSyncOptions({ appKey: '' }, 'http://a')).toThrow(/sync\.appKey/);
    expect(() => resolveSyncOptions({ appKey: 'k', mode: 'exact' as 'aggregate' }, 'http://a')).toThrow(/sync\.mode: must be one of aggregate, pseudonymous/);
    expect(() => resolveSyncOptions({ appKey: 'k', mode: 'pseudonymous', epsilon: 1 }, 'http://a')).toThrow(/sync\.epsilon/);
    expect(() => resolveSyncOptions({ appKey: 'k', epsilon: 0 }, 'http://a')).toThrow(/sync\.epsilon: must be a finite number > 0/);
    expect(() => resolveSyncOptions({ appKey: 'k' }, null)).toThrow(/sync\.server/);
    expect(() => resolveSyncOptions({ appKey: 'k', server: 'ftp://x' }, null)).toThrow(/sync\.server: must be an http\(s\) URL/);
    expect(() => resolveSyncOptions({ appKey: 'k', servr: 'x' } as never, 'http://a')).toThrow(/sync\.servr: unknown field/);
  });
});
