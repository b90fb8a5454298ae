// The demo end to end, in one browser profile, step by step: first visit, interactions logged
// and synced, the network cut (server down and the browser offline), a reload rendered from
// cache with interactions still logged, and the network back: the offline events arrive once.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  cardIds,
  feedStatus,
  idbEvents,
  launch,
  like,
  newPage,
  screenshot,
  settle,
  startDemo,
  syncAll,
  waitForCards,
  watch,
  type Demo,
  type IdbEvent,
} from './harness.ts';

const key = (e: { type: string; itemId?: string; item?: string; at: number }) => `${e.type}|${e.itemId ?? e.item}|${e.at}`;

function countBy<T>(xs: readonly T[], f: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[f(x)] = (out[f(x)] ?? 0) + 1;
  return out;
}

describe.sequential('the demo app, end to end', () => {
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let onlineEvents: IdbEvent[] = [];
  let offlineKeys: string[] = [];
  /** Log position at the cut, and what was still undelivered then. */
  let lastAtCut = 0;
  let undeliveredAtCut = new Set<number>();

  beforeAll(async () => {
    demo = await startDemo({ appDir: inject('e2eAppDir'), releaseDir: inject('e2eReleaseDir') });
    browser = await launch();
    ({ context, page, errors } = await newPage(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await demo?.close();
  });

  it('1. first visit: at least 20 items with data-ondeck-item, the status bar filled in', async () => {
    // Pseudonymous sync (opt-in) so the server's export can be compared event by event; a fast
    // simulated player so watching takes a second.
    await page.goto(`${demo.url}/?sync-mode=pseudonymous&playback-rate=2000`);
    const ids = await waitForCards(page, 20);
    expect(new Set(ids).size).toBe(ids.length);
    const status = await feedStatus(page);
    expect(status.releaseId).toMatch(/^r-/);
    expect(['wasm', 'js']).toContain(status.backends.retrieval);
    expect(status.backends.ranking).toBe('wasm');
    expect(status.sync).not.toBeNull();
    await expect.poll(() => page.locator('[data-field="release"]').textContent()).toBe(status.releaseId);
    // The service worker takes control (clientsClaim) once it has precached the shell and wasm.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
    await screenshot(page, 'feed');
    expect(errors).toEqual([]);
  });

  it('2. clicking, watching and liking log events in IndexedDB, and the server stores them after sync', async () => {
    const ids = await cardIds(page);
    const watched = await watch(page, ids[0]!, 0.6);
    expect(watched).toBeGreaterThan(0);
    await watch(page, ids[2]!, 1);
    await like(page, ids[2]!);
    await settle(page);

    const events = await idbEvents(page);
    const types = countBy(events, (e) => e.type);
    console.log('2. device log after the first interactions:', types);
    // Each opened card: impression (a click implies it was seen) then click, then watch on close.
    for (const id of [ids[0]!, ids[2]!]) {
      const mine = events.filter((e) => e.itemId === id).map((e) => e.type);
      expect(mine.slice(0, 3)).toEqual(['impression', 'click', 'watch']);
    }
    expect(events.find((e) => e.itemId === ids[2] && e.type === 'like')).toBeDefined();
    const watch0 = events.find((e) => e.itemId === ids[0] && e.type === 'watch')!;
    expect(watch0.watchSeconds).toBeCloseTo(watched, 0);

    const sync = await syncAll(page);
    expect(sync.lastError).toBeNull();
    onlineEvents = await idbEvents(page);
    expect(onlineEvents.every((e) => e.synced === 1)).toBe(true);

    const exported = await demo.exportEvents();
    expect(exported.map(key).sort()).toEqual(onlineEvents.map(key).sort());
    expect(new Set(exported.map((e) => e.install)).size).toBe(1);
    const metrics = await demo.metrics();
    const home = metrics.feeds.find((f) => f.feed === 'home')!;
    expect(home.clicks).toBe(onlineEvents.filter((e) => e.type === 'click').length);
    expect(home.impressions).toBe(onlineEvents.filter((e) => e.type === 'impression').length);
    expect(home.watches).toBe(2);
  });

  it('3. network cut: a reload renders the feed from cache, and interactions still log', async () => {
    // Impressions keep coming while cards stay on screen: what the device has not delivered by
    // the cut, and all it logs after, is what must arrive later.
    await demo.stop();
    await context.setOffline(true);
    const atCut = await idbEvents(page);
    lastAtCut = Math.max(...atCut.map((e) => e.seq));
    undeliveredAtCut = new Set(atCut.filter((e) => e.synced === 0).map((e) => e.seq));
    errors.length = 0;
    await page.reload();
    const ids = await waitForCards(page, 20);
    const status = await feedStatus(page);
    expect(status.releaseId).toMatch(/^r-/);
    expect(status.offline).toBe(true);
    await expect.poll(() => page.locator('[data-field="network"]').textContent()).toBe('offline');
    await screenshot(page, 'feed-offline');

    // Items acted on before are seen: the new feed does not show them again.
    const before = new Set(onlineEvents.filter((e) => e.type !== 'impression').map((e) => e.itemId));
    expect(ids.filter((id) => before.has(id))).toEqual([]);

    await watch(page, ids[1]!, 0.5);
    await like(page, ids[3]!);
    await settle(page);
    const events = await idbEvents(page);
    const fresh = events.filter((e) => e.seq > lastAtCut);
    const unsynced = events.filter((e) => e.synced === 0);
    console.log('3. logged offline:', countBy(fresh, (e) => e.type), `; undelivered in all (with those logged before the cut): ${unsynced.length}`);
    expect(fresh.map((e) => e.type)).toEqual(expect.arrayContaining(['impression', 'click', 'watch', 'like']));
    expect(fresh.every((e) => e.synced === 0)).toBe(true);
    // Nothing delivered before the cut is pending again.
    expect(unsynced.every((e) => e.seq > lastAtCut || undeliveredAtCut.has(e.seq))).toBe(true);
    // The queue counts as pending exactly what the log holds unsynced. Impressions can land
    // between the two reads, so they are compared at a moment when none did.
    await expect
      .poll(async () => {
        const log = (await idbEvents(page)).filter((e) => e.synced === 0).length;
        const pending = (await feedStatus(page)).sync!.pending;
        const again = (await idbEvents(page)).filter((e) => e.synced === 0).length;
        return log === again ? pending - log : 'moving';
      }, { timeout: 90_000, interval: 250 })
      .toBe(0);
    offlineKeys = (await idbEvents(page)).filter((e) => e.synced === 0).map(key);
  });

  it('4. network back: the offline events reach the server exactly once', async () => {
    await demo.restart();
    await context.setOffline(false);
    // No flush(): the queue resumes by itself when the worker's global gets 'online'. Every
    // aggregate batch takes a token request and a POST (one item per batch), so on a loaded
    // machine delivering the offline events takes far longer than on an idle one (1.8 s idle,
    // more than 20 s at load 16 on 2 cores): the wait is generous, the assertion exact.
    await expect.poll(async () => (await feedStatus(page)).sync!.pending, { timeout: 90_000, interval: 250 }).toBe(0);
    expect((await feedStatus(page)).sync!.lastError).toBeNull();
    // A flush with nothing pending sends nothing.
    await syncAll(page);

    const events = await idbEvents(page);
    expect(events.every((e) => e.synced === 1)).toBe(true);
    const exported = await demo.exportEvents();
    const counts = countBy(exported, key);
    for (const k of offlineKeys) expect(counts[k], k).toBe(1);
    expect(exported).toHaveLength(events.length);
    expect(Object.values(counts).every((n) => n === 1)).toBe(true);
    const metrics = await demo.metrics();
    // The ingest counters are the restarted server's own: it stored exactly what the device had
    // not delivered at the cut plus all it logged after (impressions keep coming while cards
    // stay on screen), each once.
    const owed = events.filter((e) => e.seq > lastAtCut || undeliveredAtCut.has(e.seq));
    console.log('4. server after the network came back:', metrics.ingest, `; owed by the device: ${owed.length}`);
    expect(metrics.ingest.events).toBe(owed.length);
    expect(metrics.ingest.duplicates).toBe(0);
    const home = metrics.feeds.find((f) => f.feed === 'home')!;
    expect(home.clicks).toBe(events.filter((e) => e.type === 'click').length);
    expect(home.watches).toBe(3);
  });

  it('the dashboard draws the metrics with uPlot', async () => {
    errors.length = 0;
    await page.goto(`${demo.url}/dashboard`);
    await page.locator('[data-panel="events"] canvas').waitFor();
    await page.locator('[data-panel="ctr"] canvas').waitFor();
    await expect.poll(() => page.locator('[data-metric="events"]').textContent()).toBe(String((await demo.metrics()).ingest.events));
    await page.setViewportSize({ width: 1280, height: 1300 });
    await screenshot(page, 'dashboard');
    expect(errors).toEqual([]);
  });
});
