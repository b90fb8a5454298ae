import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/core/events.ts';
import type { DriftBaselineInput } from '../../../src/pipeline/release/drift-baseline.ts';
import { writeDriftRelease } from '../../support/drift-release.ts';
import { ensureFixtureRelease } from '../../support/fixture-release.ts';
import { DAY, T0, aggregate, keyAuth, postEvents, pseudonymous, tempDir, testServer } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-metrics-');
afterAll(() => tmp.remove());

async function seeded() {
  const releaseDir = join(tmp.dir, `release-${Math.random().toString(36).slice(2)}`);
  cpSync(await ensureFixtureRelease(), releaseDir, { recursive: true });
  const s = await testServer({ releaseDir });
  // Feed "home": 2 aggregate rows yesterday; feed "shorts": events of two installs today.
  await postEvents(s.app, aggregate('batch-met-agg1', [
    { itemId: 'a', day: '2026-11-19', impressions: 30, clicks: 3, watches: 2, watchSeconds: 90, watchFractionSum: 1.2 },
    { itemId: 'b', day: '2026-11-19', impressions: 10, clicks: 1 },
  ]));
  await postEvents(s.app, pseudonymous('batch-met-ev01', [
    { type: 'impression', itemId: 'a', at: T0 },
    { type: 'click', itemId: 'a', at: T0 + 1 },
    { type: 'watch', itemId: 'a', at: T0 + 2, watchSeconds: 60, watchFraction: 0.6 },
    { type: 'impression', itemId: 'b', at: T0 + 3 },
  ], { feed: 'shorts', installId: 'inst-1' }));
  await postEvents(s.app, pseudonymous('batch-met-ev02', [{ type: 'impression', itemId: 'b', at: T0 }, { type: 'hide', itemId: 'b', at: T0 + 5 }], { feed: 'shorts', installId: 'inst-2' }));
  // A replay (the same body again): acknowledged as a duplicate, stored once.
  await postEvents(s.app, pseudonymous('batch-met-ev02', [{ type: 'impression', itemId: 'b', at: T0 }, { type: 'hide', itemId: 'b', at: T0 + 5 }], { feed: 'shorts', installId: 'inst-2' }));
  await postEvents(s.app, { mode: 'aggregate' });
  return s;
}

describe('metrics, item features, deletion', () => {
  it('serves ServerMetrics JSON with the ingest, feed and daily figures', async () => {
    const s = await seeded();
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    expect(m.at).toBe(T0);
    expect(m.ingest).toEqual({ batches: 3, events: 8, duplicates: 1, rejected: { auth: 0, schema: 1, json: 0, size: 0, 'content-type': 0, rate: 0 } });
    expect(m.feeds).toEqual([
      { feed: '*', impressions: 43, clicks: 5, ctr: 5 / 43, watches: 3, watchSeconds: 150 },
      { feed: 'home', impressions: 40, clicks: 4, ctr: 0.1, watches: 2, watchSeconds: 90 },
      { feed: 'shorts', impressions: 3, clicks: 1, ctr: 1 / 3, watches: 1, watchSeconds: 60 },
    ]);
    expect(m.daily).toEqual([
      { day: '2026-11-19', type: 'impression', count: 40 },
      { day: '2026-11-19', type: 'click', count: 4 },
      { day: '2026-11-19', type: 'watch', count: 2 },
      { day: '2026-11-20', type: 'impression', count: 3 },
      { day: '2026-11-20', type: 'click', count: 1 },
      { day: '2026-11-20', type: 'watch', count: 1 },
      { day: '2026-11-20', type: 'hide', count: 1 },
    ]);
    expect(m.releases).toHaveLength(1);
    expect(m.releases[0]).toMatchObject({ current: true, releaseId: expect.stringMatching(/^r-/) });
    expect(m).toHaveProperty('drift');
    await s.close();
  });

  it('serves the same figures as Prometheus text', async () => {
    const s = await seeded();
    const r = await s.app.inject({ method: 'GET', url: '/metrics' });
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = r.body;
    for (const line of [
      'ondeck_ingest_batches_total 3',
      'ondeck_ingest_events_total 8',
      'ondeck_ingest_duplicates_total 1',
      'ondeck_ingest_rejected_total{reason="schema"} 1',
      'ondeck_ingest_rejected_total{reason="auth"} 0',
      'ondeck_store_batches 3',
      'ondeck_store_events 6',
      'ondeck_feed_impressions{feed="home"} 40',
      'ondeck_feed_ctr{feed="home"} 0.1',
      `ondeck_feed_ctr{feed="*"} ${5 / 43}`,
      'ondeck_feed_watch_seconds{feed="shorts"} 60',
      '# TYPE ondeck_ingest_rejected_total counter',
      '# TYPE ondeck_drift_psi gauge',
    ]) expect(text.split('\n'), line).toContain(line);
    expect(text).toMatch(/^ondeck_release_current\{release="r-[^"]+"\} 1$/m);
    await s.close();
  });

  it('computes item features by hand-checkable rules', async () => {
    const s = await seeded();
    const r = await s.app.inject({ method: 'GET', url: '/v1/items/features', headers: keyAuth });
    const [a, b] = r.json();
    // Defaults: half-life 7 days, prior 1 click in 20 impressions. Yesterday's midpoint is 1 day old at T0.
    const w = 2 ** (-1 / 7);
    expect(a).toEqual({
      itemId: 'a',
      impressions: 31,
      clicks: 4,
      smoothedCtr: 5 / 51,
      watchSeconds: 150,
      meanWatchFraction: (1.2 + 0.6) / 3,
      recentImpressions: 30 * w + 1,
      recentClicks: 3 * w + 1,
    });
    expect(b).toMatchObject({ itemId: 'b', impressions: 12, clicks: 1, smoothedCtr: 2 / 32, watchSeconds: 0, meanWatchFraction: null, recentImpressions: 10 * w + 2 });
    s.clock.now = T0 + 7 * DAY;
    const later = (await s.app.inject({ method: 'GET', url: '/v1/items/features', headers: keyAuth })).json();
    expect(later[0].recentImpressions).toBeCloseTo(30 * 2 ** (-8 / 7) + 0.5, 12);
    await s.close();
  });

  it('deletes one install everywhere: events, export, counters', async () => {
    const s = await seeded();
    const del = await s.app.inject({ method: 'DELETE', url: '/v1/installs/inst-1', headers: keyAuth });
    expect(del.json()).toEqual({ installId: 'inst-1', deleted: 4 });
    const exported = (await s.app.inject({ method: 'GET', url: '/v1/export/events', headers: keyAuth })).body.trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.map((e) => e.install)).toEqual(['inst-2', 'inst-2']);
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    expect(m.feeds.find((f: { feed: string }) => f.feed === 'shorts')).toEqual({ feed: 'shorts', impressions: 1, clicks: 0, ctr: 0, watches: 0, watchSeconds: 0 });
    expect((await s.app.inject({ method: 'DELETE', url: '/v1/installs/inst-1', headers: keyAuth })).json()).toEqual({ installId: 'inst-1', deleted: 0 });
    await s.close();
  });

  it('answers /healthz after a store query, and JSON 404s for unknown routes', async () => {
    const s = await seeded();
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true, store: 'sqlite' });
    const nf = await s.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json()).toEqual({ error: 'NotFound', message: 'no route GET /v1/nothing' });
    await s.store.close();
    const down = await s.app.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(500);
    expect(down.json()).toEqual({ error: 'InternalError', message: expect.any(String) });
    expect(down.body).not.toMatch(/sqlite|\.ts:|at /i);
    await s.app.close();
  });
});

describe('drift in the metrics', () => {
  it('reports PSI per feature of the current release, in JSON and as Prometheus gauges', async () => {
    const releaseDir = join(tmp.dir, 'drift-release');
    const items = [{ id: 'a', title: 'a', categories: ['news'], durationSeconds: 30 }, { id: 'b', title: 'b', categories: ['music'], durationSeconds: 600 }];
    const driftBaseline: DriftBaselineInput = {
      trainingWindow: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
      features: [{ feature: 'event.type', bins: [...EVENT_TYPES], shares: EVENT_TYPES.map((t) => (t === 'impression' || t === 'click' ? 0.5 : 0)) }],
    };
    const { manifest } = await writeDriftRelease({ outDir: releaseDir, items, driftBaseline });
    const s = await testServer({ releaseDir });
    expect((await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json().drift).toBeNull();
    s.clock.now += 60_000; // past the drift cache
    await postEvents(s.app, pseudonymous('batch-drift-01', [
      { type: 'impression', itemId: 'a', at: T0 },
      { type: 'impression', itemId: 'b', at: T0 },
      { type: 'impression', itemId: 'a', at: T0 },
      { type: 'click', itemId: 'a', at: T0 },
    ]));
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    // Shares 0.75 / 0.25 against 0.5 / 0.5.
    const psi = 0.25 * Math.log(1.5) + 0.25 * Math.log(2);
    expect(m.drift).toMatchObject({ releaseId: manifest.releaseId, trainingWindow: driftBaseline.trainingWindow });
    expect(m.drift.rows).toEqual([{ feature: 'event.type', psi: expect.closeTo(psi, 9), status: 'drift', events: 4 }]);
    const text = (await s.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((l) => l.startsWith('ondeck_drift_psi{feature="event.type"'));
    expect(line).toBe(`ondeck_drift_psi{feature="event.type",release="${manifest.releaseId}"} ${m.drift.rows[0].psi}`);
    await s.close();
  });
});

describe('CORS', () => {
  it('answers preflight for allowed origins only, and always the own origin', async () => {
    const s = await testServer({ allowedOrigins: ['https://app.example', 'http://localhost:*'] });
    const preflight = (origin: string, host?: string) =>
      s.app.inject({ method: 'OPTIONS', url: '/v1/events', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type', ...(host ? { host } : {}) } });
    const ok = await preflight('https://app.example');
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(String(ok.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    expect(String(ok.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect((await preflight('http://localhost:5173.evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight('http://10.0.0.5:8787', '10.0.0.5:8787')).headers['access-control-allow-origin']).toBe('http://10.0.0.5:8787');
    await s.close();
  });
});
