// Drift, the pipeline's half: PSI, the shared binning, the baseline of a training window, and the
// baseline file writeRelease puts beside the release's manifest copy.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSI_EPSILON, psi, psiStatus } from '../../../src/core/metrics/psi.ts';
import { driftRows, parseDriftBaseline, type DriftSample } from '../../../src/core/sync/index.ts';
import { DURATION_BINS, OTHER_CATEGORY, WATCH_FRACTION_BINS, categoryBins, driftHistograms, durationBin, watchFractionBin } from '../../../src/core/sync/drift.ts';
import type { Interaction, Item } from '../../../src/pipeline/data/index.ts';
import { driftBaselineOf, driftItemsFromColumns } from '../../../src/pipeline/release/index.ts';
import { listReleases } from '../../../src/pipeline/release/rollback.ts';
import { releaseItems } from '../../../src/server/drift/index.ts';
import { DRIFT_CATEGORIES, writeDriftRelease } from '../../support/drift-release.ts';
import { fieldOf } from '../../support/field-of.ts';

const ln = Math.log;

describe('psi', () => {
  it('is 0 for identical distributions and Σ (a − e) ln(a / e) otherwise', () => {
    expect(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo((0.25 - 0.5) * ln(0.25 / 0.5) + (0.75 - 0.5) * ln(0.75 / 0.5), 12);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * ln(3), 12);
    // Counts are normalised to shares first.
    expect(psi([10, 10], [1, 3])).toBeCloseTo(0.25 * ln(3), 12);
  });

  it('floors empty bins at epsilon instead of going infinite', () => {
    const e = PSI_EPSILON;
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo((0.5 - 1) * ln(0.5 / 1) + (0.5 - e) * ln(0.5 / e), 12);
    expect(psi([1, 0, 0], [1, 0, 0])).toBe(0);
    expect(psi([1, 0], [0.5, 0.5], 0.01)).toBeCloseTo((0.5 - 1) * ln(0.5) + (0.5 - 0.01) * ln(0.5 / 0.01), 12);
  });

  it('reads < 0.1 stable, < 0.25 shift, else drift', () => {
    expect([0, 0.0999, 0.1, 0.2499, 0.25, 3].map(psiStatus)).toEqual(['stable', 'stable', 'shift', 'shift', 'drift', 'drift']);
  });

  it('names the field of bad input', () => {
    expect(fieldOf(() => psi([0.5, 0.5], [1]))).toBe('actual');
    expect(fieldOf(() => psi([0.5, -0.5], [0.5, 0.5]))).toBe('expected[1]');
    expect(fieldOf(() => psi([0.5, 0.5], [0, 0]))).toBe('actual');
    expect(fieldOf(() => psi([0.5, 0.5], [0.5, Number.NaN]))).toBe('actual[1]');
    expect(fieldOf(() => psi([1], [1], 0))).toBe('epsilon');
  });
});

describe('drift binning (shared by pipeline and server)', () => {
  it('bins watch fractions into 10 equal bins, 1.0 in the last', () => {
    expect(WATCH_FRACTION_BINS).toEqual(['0.0-0.1', '0.1-0.2', '0.2-0.3', '0.3-0.4', '0.4-0.5', '0.5-0.6', '0.6-0.7', '0.7-0.8', '0.8-0.9', '0.9-1.0']);
    expect([0, 0.05, 0.1, 0.25, 0.95, 0.999, 1, 1.2, -0.1].map(watchFractionBin)).toEqual([0, 0, 1, 2, 9, 9, 9, 9, 0]);
  });

  it('bins durations at 1, 5, 15, 30, 60 and 120 minutes, with an unknown bin', () => {
    expect(DURATION_BINS).toEqual(['0-60s', '60-300s', '300-900s', '900-1800s', '1800-3600s', '3600-7200s', '7200s+', 'unknown']);
    expect([0, 59.9, 60, 299, 300, 899, 900, 1800, 3599, 3600, 7199, 7200, 1e6].map(durationBin)).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 6]);
    expect([undefined, Number.NaN, -1].map(durationBin)).toEqual([7, 7, 7]);
  });

  it('keeps the top categories by weight (1/n per category of an n-category item), then "other"', () => {
    const s = (categories: string[]): DriftSample => ({ type: 'click', item: { categories } });
    // a: 1 + 1/2 = 1.5; c: 1/3 + 1 = 1.333; b: 1/2 + 1/3 = 0.833; d: 1/3.
    const samples = [s(['a']), s(['a', 'b']), s(['b', 'c', 'd']), s(['c']), s([])];
    expect(categoryBins(samples, 2)).toEqual(['a', 'c', OTHER_CATEGORY]);
    expect(categoryBins(samples, 10)).toEqual(['a', 'c', 'b', 'd', OTHER_CATEGORY]);
    const [h] = driftHistograms(samples, ['item.categories'], ['a', 'b', OTHER_CATEGORY]);
    // c and d fall into "other": 1/3 + 1/3 + 1 (the item with only c); the empty item adds nothing.
    expect(h!.counts[0]).toBeCloseTo(1.5, 12);
    expect(h!.counts[1]).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(h!.counts[2]).toBeCloseTo(2 / 3 + 1, 12);
    expect(h!.events).toBe(4);
  });
});

describe('parseDriftBaseline and driftRows', () => {
  const base = { releaseId: 'r1', trainingWindow: { from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z' } };

  it('keeps a feature it does not know (a newer pipeline\'s) and driftRows skips it', () => {
    const b = parseDriftBaseline({
      ...base,
      features: [
        { feature: 'item.language', bins: ['en', 'fr'], shares: [0.5, 0.5] },
        { feature: 'event.type', bins: ['impression', 'click', 'watch', 'like', 'hide', 'skip'], shares: [0.5, 0.5, 0, 0, 0, 0] },
      ],
    });
    const rows = driftRows(b, [
      { type: 'impression', item: null },
      { type: 'click', item: null },
    ]);
    expect(rows).toEqual([{ feature: 'event.type', psi: 0, status: 'stable', events: 2 }]);
  });

  it('refuses fixed bins other than this code\'s, and shares that do not match the bins', () => {
    const feature = (bins: string[], shares: number[]) => ({ ...base, features: [{ feature: 'item.durationSeconds', bins, shares }] });
    expect(fieldOf(() => parseDriftBaseline(feature(['short', 'long'], [0.5, 0.5])))).toBe('features[0].bins');
    expect(fieldOf(() => parseDriftBaseline(feature([...DURATION_BINS], [1])))).toBe('features[0].shares');
    expect(fieldOf(() => parseDriftBaseline({ ...base, features: [{ feature: 'item.categories', bins: ['a'], shares: [1] }] }))).toBe('features[0].bins');
    expect(fieldOf(() => parseDriftBaseline({ ...base, trainingWindow: { from: 'yesterday', to: base.trainingWindow.to }, features: [] }))).toBe('trainingWindow.from');
  });
});

describe('driftBaselineOf: the training window of a release', () => {
  const AT = Date.UTC(2024, 0, 1);
  const items = new Map([
    ['i1', { categories: ['news'], durationSeconds: 30 }],
    ['i2', { categories: ['news', 'music'], durationSeconds: 400 }],
    ['i3', { categories: [] }],
  ]);
  const interaction = (item: string, type: Interaction['type'], minute: number, watchFraction?: number): Interaction => ({
    user: 'u',
    item,
    at: AT + minute * 60_000,
    label: type === 'impression' ? 0 : 1,
    type,
    ...(watchFraction === undefined ? {} : { watchFraction }),
  });
  const feedLog = [
    interaction('i1', 'impression', 0),
    interaction('i1', 'click', 1, 0.55),
    interaction('i2', 'impression', 2),
    interaction('i3', 'impression', 3),
    interaction('i2', 'click', 4, 0.05),
    interaction('gone', 'impression', 5), // not in the release: counts for event features only
  ];

  it('bins every feature the data has, with shares worked out by hand', () => {
    const b = driftBaselineOf({ interactions: feedLog, items, feedback: 'impressions' })!;
    expect(b.trainingWindow).toEqual({ from: '2024-01-01T00:00:00.000Z', to: '2024-01-01T00:05:00.000Z' });
    const f = Object.fromEntries(b.features.map((x) => [x.feature, x]));
    expect(Object.keys(f)).toEqual(['event.type', 'event.watchFraction', 'item.durationSeconds', 'item.categories']);
    expect(f['event.type']!.shares).toEqual([4 / 6, 2 / 6, 0, 0, 0, 0]);
    expect(f['event.watchFraction']!.shares).toEqual([0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0]);
    // i1 twice (0-60s), i2 twice (300-900s), i3 once (unknown); "gone" is left out.
    expect(f['item.durationSeconds']!.shares).toEqual([0.4, 0, 0.4, 0, 0, 0, 0, 0.2]);
    // news: 1 + 1 (i1) + 1/2 + 1/2 (i2); music: 1/2 + 1/2; i3 has none.
    expect(f['item.categories']!.bins).toEqual(['news', 'music', OTHER_CATEGORY]);
    expect(f['item.categories']!.shares).toEqual([0.75, 0.25, 0]);
  });

  it('leaves out what the data lacks: event types of ratings, watch fractions, durations', () => {
    const ratings = feedLog.map(({ watchFraction: _w, ...x }) => x);
    const noDurations = new Map([...items].map(([id, it]) => [id, { categories: it.categories }]));
    const b = driftBaselineOf({ interactions: ratings, items: noDurations, feedback: 'explicit' })!;
    expect(b.features.map((x) => x.feature)).toEqual(['item.categories']);
    expect(driftBaselineOf({ interactions: [], items, feedback: 'explicit' })).toBeNull();
  });
});

describe('writeRelease with a drift baseline', () => {
  let root: string;
  let written: Awaited<ReturnType<typeof writeDriftRelease>>;
  const catalogue: Item[] = Array.from({ length: 240 }, (_, i) => ({
    id: `v${i}`,
    title: `Video ${i}`,
    // Up to 4 categories (the column keeps 2), some unknown to the vocabulary, some none.
    categories: i % 11 === 0 ? [] : [DRIFT_CATEGORIES[i % 5]!, 'not-in-vocab', DRIFT_CATEGORIES[(i + 1) % 5]!, DRIFT_CATEGORIES[(i + 3) % 5]!].slice(0, 1 + (i % 4)),
    ...(i % 7 === 0 ? {} : { durationSeconds: 20 + ((i * 37) % 5000) + 0.4 }),
  }));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ondeck-drift-release-'));
    const items = new Map(catalogue.map((it) => [it.id, { categories: it.categories, ...(it.durationSeconds === undefined ? {} : { durationSeconds: it.durationSeconds }) }]));
    const interactions: Interaction[] = catalogue.map((it, i) => ({ user: 'u', item: it.id, at: Date.UTC(2024, 3, 1) + i * 1000, label: 1, type: 'click' }));
    written = await writeDriftRelease({
      outDir: join(root, 'release'),
      items: catalogue,
      maxCategories: 2,
      driftBaseline: driftBaselineOf({ interactions, items, feedback: 'implicit' }),
    });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('sees items exactly as the server reads them back from the shards', async () => {
    const fromColumns = driftItemsFromColumns(catalogue.map((it) => it.id), written.columns, DRIFT_CATEGORIES);
    const fromShards = await releaseItems(join(root, 'release'), written.manifest.releaseId);
    expect(fromShards.size).toBe(catalogue.length);
    expect(new Map([...fromShards].sort())).toEqual(new Map([...fromColumns].sort()));
    // The shard view, not the catalogue's: at most 2 known categories, rounded durations.
    expect(fromShards.get('v3')).toEqual({ categories: ['comedy', 'gaming'], durationSeconds: 131 }); // 4 given, 131.4 s
    expect(fromShards.get('v11')).toEqual({ categories: [], durationSeconds: 427 });
    expect(fromShards.get('v14')).toEqual({ categories: ['gaming', 'news'] }); // no duration
  });

  it('writes releases/<id>.drift.json beside the manifest copy, and rollback does not take it for a release', async () => {
    const id = written.manifest.releaseId;
    expect(written.files).toContain(`releases/${id}.drift.json`);
    const file = JSON.parse(await readFile(join(root, 'release', 'releases', `${id}.drift.json`), 'utf8'));
    const baseline = parseDriftBaseline(file);
    expect(baseline.releaseId).toBe(id);
    expect(baseline.features.map((f) => f.feature)).toEqual(['item.durationSeconds', 'item.categories']);
    for (const f of baseline.features) expect(f.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect((await readdir(join(root, 'release', 'releases'))).sort()).toEqual([`${id}.drift.json`, `${id}.json`]);
    expect(await listReleases(join(root, 'release'))).toEqual([id]);
  });
});
