// `<ondeck-feed>` where most webviews put it: no cross-origin isolation (the COOP/COEP headers
// stripped on the way) and no WebGPU (Chromium started without it), no service worker. The
// runtime falls back (single-threaded wasm); the feed must render all the same.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { feedStatus, launch, startDemo, waitForCards, type Demo } from './harness.ts';

describe('the feed without cross-origin isolation', () => {
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    demo = await startDemo({ appDir: inject('e2eAppDir'), releaseDir: inject('e2eReleaseDir') });
    browser = await launch();
    context = await browser.newContext({ serviceWorkers: 'block' });
    await context.route('**/*', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await demo?.close();
  });

  it('renders 20 items and reports its fallbacks', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${demo.url}/`);
    const env = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return { isolated: globalThis.crossOriginIsolated, adapter: gpu ? (await gpu.requestAdapter()) !== null : false };
    });
    expect(env).toEqual({ isolated: false, adapter: false });
    const ids = await waitForCards(page, 20);
    expect(new Set(ids).size).toBe(ids.length);
    const status = await feedStatus(page);
    expect(['wasm', 'js']).toContain(status.backends.retrieval);
    expect(status.backends.ranking).toBe('wasm');
    await expect.poll(() => page.locator('[data-field="offline-ready"]').textContent()).toBe('not yet');
    expect(errors).toEqual([]);
  });
});
