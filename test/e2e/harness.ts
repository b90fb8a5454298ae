// What the e2e tests share: the real server (temp SQLite, the built app, the fixture release),
// Chromium through playwright-core, and small readers of the page (cards, IndexedDB, status).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { OndeckFeedElement } from '../../src/client/index.ts';
import type { FeedItem, FeedStatus, SyncStatus } from '../../src/core/feed/index.ts';
import { categoryVocab, shardItemRecord } from '../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts } from '../../src/core/release/index.ts';
import { decodeShard } from '../../src/core/shard/index.ts';
import type { ServerMetrics } from '../../src/core/sync/index.ts';
import { openStore, startServer, type FeatureStore, type RunningServer } from '../../src/server/index.ts';
import { chromiumLaunchOptions } from '../support/chromium.ts';

export const SCREENSHOTS = 'test/e2e/.screenshots';

export interface ExportedLine {
  seq: number;
  install: string;
  item: string;
  type: string;
  at: number;
  watchSeconds?: number;
}

export interface Demo {
  url: string;
  /** Stops the HTTP server (the store stays open): the network is gone for every fetch, service worker included. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same store. */
  restart(): Promise<void>;
  metrics(): Promise<ServerMetrics>;
  /** Every pseudonymous event the store holds (GET /v1/export/events with the secret key). */
  exportEvents(): Promise<ExportedLine[]>;
  close(): Promise<void>;
}

export async function startDemo(o: { appDir: string; releaseDir: string }): Promise<Demo> {
  const work = mkdtempSync(join(tmpdir(), 'ondeck-e2e-db-'));
  const store: FeatureStore = await openStore({ db: join(work, 'store.sqlite') });
  const secretKey = randomBytes(24).toString('hex');
  const options = { store, secretKey, appKeys: ['demo'], releaseDir: o.releaseDir, appDir: o.appDir, host: '127.0.0.1' };
  let server: RunningServer | null = await startServer({ ...options, port: 0 });
  const url = server.url;
  const port = Number(new URL(url).port);
  const demo: Demo = {
    url,
    async stop() {
      await server?.close();
      server = null;
    },
    async restart() {
      server ??= await startServer({ ...options, port });
    },
    async metrics() {
      const res = await fetch(`${url}/v1/metrics`);
      expect(res.status).toBe(200);
      return (await res.json()) as ServerMetrics;
    },
    async exportEvents() {
      const out: ExportedLine[] = [];
      let after = 0;
      for (;;) {
        const res = await fetch(`${url}/v1/export/events?after=${after}`, { headers: { authorization: `Key ${secretKey}` } });
        expect(res.status).toBe(200);
        const text = await res.text();
        for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as ExportedLine);
        after = Number(res.headers.get('x-ondeck-next-after'));
        if (res.headers.get('x-ondeck-more') !== 'true') return out;
      }
    },
    async close() {
      await server?.close();
      server = null;
      await store.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return demo;
}

/** Chromium without WebGPU: the fallback path (wasm retrieval and ranking) a plain device takes. */
export async function launch(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions({ webgpu: false }));
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'allow' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

/** Item id -> categories, read from the release's shards with the device's own decoder. */
export function releaseCategories(releaseDir: string): Map<string, string[]> {
  const manifest = parseManifest(JSON.parse(readFileSync(join(releaseDir, 'manifest.json'), 'utf8')));
  const vocab = categoryVocab(manifest.featureSpec);
  const out = new Map<string, string[]>();
  const { head, clusters } = shardArtifacts(manifest);
  for (const a of [head, ...clusters]) {
    const shard = decodeShard(new Uint8Array(readFileSync(join(releaseDir, a.url))));
    for (let i = 0; i < shard.count; i++) {
      const r = shardItemRecord(shard, i, vocab);
      out.set(r.id, r.categories);
    }
  }
  return out;
}

export async function cardIds(page: Page): Promise<string[]> {
  return page.locator('[data-ondeck-item]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['ondeckItem']!));
}

export async function waitForCards(page: Page, atLeast: number): Promise<string[]> {
  await expect.poll(async () => (await cardIds(page)).length, { timeout: 90_000, interval: 250 }).toBeGreaterThanOrEqual(atLeast);
  return cardIds(page);
}

export async function feedItems(page: Page): Promise<FeedItem[]> {
  return page.evaluate(() => [...document.querySelector<OndeckFeedElement>('ondeck-feed')!.items]);
}

export async function feedStatus(page: Page): Promise<FeedStatus> {
  return page.evaluate(async () => (await document.querySelector<OndeckFeedElement>('ondeck-feed')!.status())!);
}

/** Waits until the element stored every event, then asks the sync queue to send now. */
export async function flush(page: Page): Promise<SyncStatus | null> {
  return page.evaluate(() => document.querySelector<OndeckFeedElement>('ondeck-feed')!.flush());
}

export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelector<OndeckFeedElement>('ondeck-feed')!.settle());
}

export interface IdbEvent {
  seq: number;
  type: string;
  itemId: string;
  at: number;
  watchSeconds?: number;
  synced: number;
}

/**
 * The demo app's database: its feed is named (APP_DEFAULTS.feedName 'home'), and a named feed
 * keeps its own database, `ondeck:<feed>` (workers/feed/options.ts resolveFeedOptions).
 */
export const DEMO_DATABASE = 'ondeck:home';

/** The device's event log, read straight from IndexedDB (the demo feed's database by default). */
export async function idbEvents(page: Page, database = DEMO_DATABASE): Promise<IdbEvent[]> {
  return page.evaluate(
    (name) =>
      new Promise<IdbEvent[]>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('events')) {
            db.close();
            reject(new Error(`IndexedDB database "${name}" has no events store: not the feed's database`));
            return;
          }
          const req = db.transaction('events').objectStore('events').getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            db.close();
            resolve(
              (req.result as IdbEvent[]).map((e) => ({
                seq: e.seq,
                type: e.type,
                itemId: e.itemId,
                at: e.at,
                ...(e.watchSeconds === undefined ? {} : { watchSeconds: e.watchSeconds }),
                synced: e.synced,
              })),
            );
          };
        };
      }),
    database,
  );
}

/**
 * Opens the card (a real click on its picture), lets the simulated player run until `fraction`
 * of the item is watched, closes it; returns the seconds the player reported.
 */
export async function watch(page: Page, itemId: string, fraction: number): Promise<number> {
  await page.locator(`[data-ondeck-item="${itemId}"] .thumb`).click();
  const player = page.locator(`[data-ondeck-player="${itemId}"]`);
  await player.waitFor();
  const item = (await feedItems(page)).find((x) => x.id === itemId)!;
  const duration = item.durationSeconds ?? 120;
  await expect
    .poll(async () => Number((await player.getAttribute('data-watch-seconds')) ?? 0), { timeout: 90_000, interval: 100 })
    .toBeGreaterThanOrEqual(Math.min(duration, duration * fraction));
  // Pause first (unless it ended), so the seconds read are the seconds the close reports.
  const toggle = player.locator('button[data-action="toggle"]');
  if ((await toggle.textContent()) === 'Pause') await toggle.click();
  await expect.poll(() => toggle.textContent()).not.toBe('Pause');
  const seconds = Number(await player.getAttribute('data-watch-seconds'));
  await player.locator('button[data-action="close"]').click();
  await player.waitFor({ state: 'detached' });
  return seconds;
}

export async function like(page: Page, itemId: string): Promise<void> {
  const b = page.locator(`[data-ondeck-item="${itemId}"] button[data-action="like"]`);
  await b.click();
  await expect.poll(() => b.getAttribute('aria-pressed')).toBe('true');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Polls flush() until the device reports nothing pending (the queue may be mid-backoff). */
export async function syncAll(page: Page): Promise<SyncStatus> {
  let last: SyncStatus | null = null;
  await expect
    .poll(
      async () => {
        last = await flush(page);
        return last?.pending;
      },
      { timeout: 90_000, interval: 500 },
    )
    .toBe(0);
  return last!;
}
