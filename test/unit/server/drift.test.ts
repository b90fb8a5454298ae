// Drift, the server's half: a real release folder (shards written by the pipeline), a hand-made
// baseline, events in a real SQLite feature store, and PSI figures worked out by hand.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSI_EPSILON } from '../../../src/core/metrics/psi.ts';
import { DURATION_BINS, OTHER_CATEGORY, WATCH_FRACTION_BINS } from '../../../src/core/sync/drift.ts';
import type { PseudonymousBatch } from '../../../src/core/sync/wire.ts';
import { EVENT_TYPES } from '../../../src/core/events.ts';
import type { Item } from '../../../src/pipeline/data/index.ts';
import type { DriftBaselineInput } from '../../../src/pipeline/release/drift-baseline.ts';
import { computeDrift, DriftBaselineError } from '../../../src/server/drift/index.ts';
import { openSqliteStore } from '../../../src/server/store/sqlite/index.ts';
import type { FeatureStore } from '../../../src/server/store/types.ts';
import { writeDriftRelease } from '../../support/drift-release.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 5, 1, 12);
const e = PSI_EPSILON;
/** One bin's PSI term, shares floored at epsilon as psi() does. */
const term = (expected: number, actual: number) => (Math.max(actual, e) - Math.max(expected, e)) * Math.log(Math.max(actual, e) / Math.max(expected, e));

const ITEMS: Item[] = [
  { id: 'n1', title: 'news, short', categories: ['news'], durationSeconds: 30 },
  { id: 'm1', title: 'music, long', categories: ['music'], durationSeconds: 600 },
  { id: 'x1', title: 'comedy', categories: ['comedy'], durationSeconds: 30 },
];

function shares(bins: readonly string[], at: Record<string, number>): number[] {
  return bins.map((b) => at[b] ?? 0);
}

// The training window as a hand-made baseline.
const BASELINE: DriftBaselineInput = {
  trainingWindow: { from: '2024-05-01T00:00:00.000Z', to: '2024-05-31T00:00:00.000Z' },
  features: [
    { feature: 'event.type', bins: [...EVENT_TYPES], shares: shares(EVENT_TYPES, { impression: 0.5, click: 0.5 }) },
    { feature: 'event.watchFraction', bins: [...WATCH_FRACTION_BINS], shares: shares(WATCH_FRACTION_BINS, { '0.2-0.3': 0.5, '0.7-0.8': 0.5 }) },
    { feature: 'item.durationSeconds', bins: [...DURATION_BINS], shares: shares(DURATION_BINS, { '0-60s': 0.5, '300-900s': 0.5 }) },
    { feature: 'item.categories', bins: ['news', 'music', OTHER_CATEGORY], shares: [0.7, 0.3, 0] },
  ],
};

function batch(id: string, events: PseudonymousBatch['events']): PseudonymousBatch {
  return { batchId: id, mode: 'pseudonymous', installId: 'inst-1', releaseId: null, feed: 'default', events };
}

describe('computeDrift', () => {
  let root: string;
  let releaseDir: string;
  let releaseId: string;
  let store: FeatureStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ondeck-server-drift-'));
    releaseDir = join(root, 'release');
    releaseId = (await writeDriftRelease({ outDir: releaseDir, items: ITEMS, driftBaseline: BASELINE })).manifest.releaseId;
    store = await openSqliteStore(join(root, 'store.db'));
  });
  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('is null while no event arrived in the last day', async () => {
    await store.ingest(batch('old-batch-1', [{ type: 'impression', itemId: 'm1', at: NOW - 30 * HOUR }]), NOW);
    expect(await computeDrift({ store, releaseDir, releaseId, now: NOW })).toBeNull();
  });

  it('gives each feature the PSI of the last day against the baseline', async () => {
    await store.ingest(
      batch('day-batch-1', [
        { type: 'impression', itemId: 'n1', at: NOW - 5 * HOUR },
        { type: 'impression', itemId: 'm1', at: NOW - 4 * HOUR },
        { type: 'click', itemId: 'n1', at: NOW - 3 * HOUR },
        { type: 'watch', itemId: 'm1', at: NOW - 2 * HOUR, watchSeconds: 150, watchFraction: 0.25 },
        { type: 'impression', itemId: 'ghost', at: NOW - 1 * HOUR }, // not in the release
      ]),
      NOW,
    );
    const drift = await computeDrift({ store, releaseDir, releaseId, now: NOW });
    expect(drift).not.toBeNull();
    expect(drift!.releaseId).toBe(releaseId);
    expect(drift!.trainingWindow).toEqual(BASELINE.trainingWindow);
    const rows = Object.fromEntries(drift!.rows.map((r) => [r.feature, r]));
    expect(Object.keys(rows)).toEqual(['event.type', 'event.watchFraction', 'item.durationSeconds', 'item.categories']);

    // Types of the 5 recent events (the 30-hour-old one is out): 3 impressions, 1 click, 1 watch.
    const typePsi = term(0.5, 3 / 5) + term(0.5, 1 / 5) + term(0, 1 / 5);
    expect(rows['event.type']!.psi).toBeCloseTo(typePsi, 12);
    expect(rows['event.type']).toMatchObject({ status: 'drift', events: 5 });

    // One watch fraction, 0.25: all of it in 0.2-0.3, none in 0.7-0.8.
    expect(rows['event.watchFraction']!.psi).toBeCloseTo(term(0.5, 1) + term(0.5, 0), 12);
    expect(rows['event.watchFraction']).toMatchObject({ status: 'drift', events: 1 });

    // Items of the release (ghost is not): n1, m1, n1, m1 -> half 0-60s, half 300-900s, as trained.
    expect(rows['item.durationSeconds']).toEqual({ feature: 'item.durationSeconds', psi: 0, status: 'stable', events: 4 });

    // Categories: news 0.5 and music 0.5 against 0.7 / 0.3: 0.2 ln(0.7/0.5) + 0.2 ln(0.5/0.3) = 0.1695.
    const catPsi = term(0.7, 0.5) + term(0.3, 0.5);
    expect(catPsi).toBeCloseTo(0.2 * Math.log(0.7 / 0.5) + 0.2 * Math.log(0.5 / 0.3), 12);
    expect(rows['item.categories']!.psi).toBeCloseTo(catPsi, 12);
    expect(rows['item.categories']).toMatchObject({ status: 'shift', events: 4 });
  });

  it('counts a category outside the baseline bins as "other"', async () => {
    await store.ingest(batch('day-batch-2', [{ type: 'impression', itemId: 'x1', at: NOW - 30 * 60_000 }]), NOW);
    const drift = await computeDrift({ store, releaseDir, releaseId, now: NOW });
    const cats = drift!.rows.find((r) => r.feature === 'item.categories')!;
    // news 2, music 2, other (comedy) 1, of 5.
    expect(cats.events).toBe(5);
    expect(cats.psi).toBeCloseTo(term(0.7, 0.4) + term(0.3, 0.4) + term(0, 0.2), 12);
  });

  it('is null for a release without a baseline file, and refuses a baseline of another release', async () => {
    const bare = join(root, 'bare');
    const bareId = (await writeDriftRelease({ outDir: bare, items: ITEMS })).manifest.releaseId;
    expect(await computeDrift({ store, releaseDir: bare, releaseId: bareId, now: NOW })).toBeNull();

    await writeFile(join(bare, 'releases', `${bareId}.drift.json`), JSON.stringify({ releaseId: 'someone-else', ...BASELINE }));
    const err = await computeDrift({ store, releaseDir: bare, releaseId: bareId, now: NOW }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DriftBaselineError);
    expect((err as Error).message).toContain('someone-else');

    await writeFile(join(bare, 'releases', `${bareId}.drift.json`), JSON.stringify({ releaseId: bareId, ...BASELINE, features: [{ feature: 'event.type', bins: ['a'], shares: [0.5, 0.5] }] }));
    const bad = await computeDrift({ store, releaseDir: bare, releaseId: bareId, now: NOW }).catch((x: unknown) => x);
    expect((bad as Error).name).toBe('DriftBaselineError');
    expect((bad as Error).message).toContain('features[0].shares');

    await expect(computeDrift({ store, releaseDir: bare, releaseId: '../escape', now: NOW })).rejects.toThrow(/not a release id/);
  });
});
