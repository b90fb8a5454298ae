// The examples in examples/ as a team uses them: the packed `ondeck` tarball installed (offline)
// into Vite, webpack and plain-HTML apps (setup.ts), each served by a plain static server on its
// own port, without COOP/COEP, beside the real ondeck server on another port. In Chromium, each
// page must render at least 20 ranked cards of the release, with no page error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore, startServer, type FeatureStore, type RunningServer } from '../../src/server/index.ts';
import { parseManifest } from '../../src/core/release/index.ts';
import { feedStatus, launch, releaseCategories, waitForCards } from '../e2e/harness.ts';
import { testSigningKey } from '../support/release-key.ts';
import { serveStatic, type StaticServer } from '../support/static-server.ts';
import { EXAMPLES } from './pack-examples.ts';

describe('examples/ with the packed library', () => {
  let work: string;
  let store: FeatureStore;
  let ondeck: RunningServer;
  let browser: Browser;
  let releaseItems: Map<string, string[]>;
  let releaseId: string;
  const releaseDir = inject('examplesReleaseDir');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ondeck-examples-'));
    store = await openStore({ db: join(work, 'store.sqlite') });
    ondeck = await startServer({ store, secretKey: 'examples-secret-key-0123456789', appKeys: ['demo'], releaseDir, host: '127.0.0.1', port: 0 });
    browser = await launch();
    releaseId = parseManifest(JSON.parse(readFileSync(join(releaseDir, 'manifest.json'), 'utf8'))).releaseId;
    releaseItems = releaseCategories(releaseDir);
  });

  afterAll(async () => {
    await browser?.close();
    await ondeck?.close();
    await store?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const name of EXAMPLES) {
    it(`${name}: renders 20 ranked cards from the ondeck server on another port, not cross-origin isolated`, async () => {
      const site: StaticServer = await serveStatic({ root: inject('exampleDirs')[name], isolated: false });
      const context = await browser.newContext({ serviceWorkers: 'block' });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`console: ${m.text()}`);
        });
        page.on('response', (r) => {
          if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
        });
        expect(new URL(site.url).port).not.toBe(new URL(ondeck.url).port);
        const query = new URLSearchParams({ server: ondeck.url, 'release-key': testSigningKey().publicKey });
        await page.goto(`${site.url}/?${query}`);
        const ids = await waitForCards(page, 20);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.filter((id) => !releaseItems.has(id))).toEqual([]);
        expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
        const status = await feedStatus(page);
        expect(status.backends.ranking).toBe('wasm');
        expect(['wasm', 'js']).toContain(status.backends.retrieval);
        expect(status.releaseId).toBe(releaseId);
        expect(status.release?.signed).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
        await site.close();
      }
    });
  }
});
