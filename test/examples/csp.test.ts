// A strict Content-Security-Policy, as a bank's or a newspaper's app serves it: the Vite example
// (the packed library, built) served with the policy on every response, the worker's script
// included (a dedicated worker runs under the policy of its own response). With
// 'wasm-unsafe-eval' the feed ranks on WASM; without it WebAssembly cannot compile, the feed
// falls back to the plain-JS runtimes and status() names each one passed over and why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FeedStatus } from '../../src/core/feed/index.ts';
import { openStore, startServer, type FeatureStore, type RunningServer } from '../../src/server/index.ts';
import { feedStatus, launch, releaseCategories, waitForCards } from '../e2e/harness.ts';
import { testSigningKey } from '../support/release-key.ts';
import { serveStatic } from '../support/static-server.ts';

/**
 * The smallest policy the feed runs under, as the README lists it: nothing by default; scripts
 * (the page's, the worker's, onnxruntime's .mjs) from the page's origin, WebAssembly compiled only
 * with 'wasm-unsafe-eval'; fetches to the page's origin (onnxruntime's .wasm) and the ondeck
 * server (release, events); images from data: (the example's favicon). No worker-src (it falls
 * back to script-src) and no style-src: the element's CSS is a constructed stylesheet.
 */
function policy(server: string, { wasm }: { wasm: boolean }): string {
  return [
    "default-src 'none'",
    `script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ''}`,
    `connect-src 'self' ${server}`,
    'img-src data:',
  ].join('; ');
}

describe('a page under a strict Content-Security-Policy', () => {
  let work: string;
  let store: FeatureStore;
  let ondeck: RunningServer;
  let browser: Browser;
  let releaseItems: Map<string, string[]>;
  const releaseDir = inject('examplesReleaseDir');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ondeck-csp-'));
    store = await openStore({ db: join(work, 'store.sqlite') });
    ondeck = await startServer({ store, secretKey: 'csp-secret-key-0123456789abcdef', appKeys: ['demo'], releaseDir, host: '127.0.0.1', port: 0 });
    browser = await launch();
    releaseItems = releaseCategories(releaseDir);
  });

  afterAll(async () => {
    await browser?.close();
    await ondeck?.close();
    await store?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(wasm: boolean): Promise<{ status: FeedStatus; ids: string[]; errors: string[]; violations: string[] }> {
    const site = await serveStatic({
      root: inject('exampleDirs').vite,
      isolated: false,
      headers: { 'Content-Security-Policy': policy(ondeck.url, { wasm }) },
    });
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const violations: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') (/Content Security Policy|Refused to/.test(m.text()) ? violations : errors).push(m.text());
      });
      const query = new URLSearchParams({ server: ondeck.url, 'release-key': testSigningKey().publicKey });
      await page.goto(`${site.url}/?${query}`);
      const ids = await waitForCards(page, 20);
      return { status: await feedStatus(page), ids, errors, violations };
    } finally {
      await context.close();
      await site.close();
    }
  }

  it("with 'wasm-unsafe-eval' ranks on WASM, with no violation", async () => {
    const { status, ids, errors, violations } = await open(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !releaseItems.has(id))).toEqual([]);
    expect(status.backends.ranking).toBe('wasm');
    // auto retrieval picks the faster of wasm and js on this machine; neither was blocked.
    expect(['wasm', 'js']).toContain(status.backends.retrieval);
    expect(status.verification?.verified).toBe(true);
    expect(status.verification?.fallbacks.filter((f) => f.name === 'WasmBlockedError')).toEqual([]);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("without 'wasm-unsafe-eval' falls back to the JS runtimes, and status() says why", async () => {
    const { status, ids, errors, violations } = await open(false);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !releaseItems.has(id))).toEqual([]);
    expect(status.backends).toEqual({ retrieval: 'js', ranking: 'js' });
    // The plain-JS runtimes reproduced the release's golden vectors too.
    expect(status.verification?.verified).toBe(true);
    const wasm = status.verification!.fallbacks.filter((f) => f.backend === 'wasm');
    expect(wasm.map((f) => f.stage)).toEqual(expect.arrayContaining(['ranker', 'retrieval']));
    for (const f of wasm) {
      expect(f.name).toBe('WasmBlockedError');
      expect(f.message).toMatch(/wasm-unsafe-eval/);
    }
    // onnxruntime's webgpu provider runs in its WebAssembly runtime: passed over for the same reason.
    for (const f of status.verification!.fallbacks.filter((f) => f.stage !== 'retrieval' && f.backend === 'webgpu')) {
      expect(f.name).toBe('WasmBlockedError');
    }
    // The only thing the policy refused is WebAssembly; onnxruntime logged no errors of its own.
    for (const v of violations) expect(v).toMatch(/WebAssembly/);
    expect(errors).toEqual([]);
  });
});
