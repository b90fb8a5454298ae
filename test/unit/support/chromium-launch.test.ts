// The launch helper and the static server that the end-to-end tests stand on: a page served from
// 127.0.0.1 is cross-origin isolated with COOP/COEP and not without (as in most webviews).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumLaunchOptions, findChromium } from '../../support/chromium.ts';
import { serveStatic } from '../../support/static-server.ts';

describe('chromium helper', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'ondeck-page-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>ondeck</title><p id="x">hello</p>');

  beforeAll(async () => {
    browser = await chromium.launch(chromiumLaunchOptions());
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('finds Chromium, and names CHROME_PATH when it points nowhere', () => {
    expect(findChromium({})).toMatch(/chromium/);
    expect(() => findChromium({ CHROME_PATH: '/no/such/chrome' })).toThrow(/CHROME_PATH is set to \/no\/such\/chrome/);
  });

  it('keeps Chromium off the network and can expose WebGPU', () => {
    const args = chromiumArgs();
    for (const flag of ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']) {
      expect(args).toContain(flag);
    }
    expect(args).toContain('--enable-unsafe-webgpu');
    expect(chromiumArgs({ webgpu: false })).not.toContain('--enable-unsafe-webgpu');
  });

  for (const isolated of [true, false]) {
    it(`serves a page that is ${isolated ? '' : 'not '}cross-origin isolated`, async () => {
      const server = await serveStatic({ root, isolated });
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const page = await browser.newPage();
        await page.goto(server.url + '/');
        expect(await page.textContent('#x')).toBe('hello');
        expect(await page.evaluate('crossOriginIsolated')).toBe(isolated);
        expect(await page.evaluate('navigator.gpu.requestAdapter().then((a) => a !== null)')).toBe(true);
        const missing = await page.goto(server.url + '/nope.js');
        expect(missing?.status()).toBe(404);
        const escape = await page.request.get(server.url + '/..%2f..%2fetc%2fpasswd');
        expect([403, 404]).toContain(escape.status());
        await page.close();
      } finally {
        await server.close();
      }
    });
  }
});
