import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testServer, type TestServer } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-app-');
let s: TestServer;
const WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

beforeAll(async () => {
  const app = join(tmp.dir, 'app');
  mkdirSync(join(app, 'assets'), { recursive: true });
  writeFileSync(join(app, 'index.html'), '<!doctype html><title>ondeck</title><div id="app"></div>');
  writeFileSync(join(app, 'assets', 'main-abc123.js'), 'console.log("hi");');
  writeFileSync(join(app, 'assets', 'ort-simd.wasm'), WASM);
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the app folder');
  s = await testServer({ appDir: app });
});
afterAll(async () => {
  await s.close();
  tmp.remove();
});

const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: 'GET', url, headers });

describe('the static app', () => {
  it('serves index.html at / and for unknown app paths, cross-origin isolated', async () => {
    for (const url of ['/', '/dashboard', '/dashboard/feeds?x=1']) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.body).toContain('<div id="app">');
      expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(r.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(r.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves assets with their types, wasm as application/wasm, hashed assets immutable', async () => {
    const wasm = await get('/assets/ort-simd.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(Buffer.compare(wasm.rawPayload, WASM)).toBe(0);
    expect(wasm.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const js = await get('/assets/main-abc123.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/main-abc123.js', { 'if-none-match': js.headers.etag as string })).statusCode).toBe(304);
  });

  it('404s missing files with an extension and never leaves the folder', async () => {
    expect((await get('/assets/missing.js')).statusCode).toBe(404);
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2F..%2Fsecret.txt', '/%2e%2e%2fsecret.txt']) {
      const r = await get(url);
      expect(r.body, url).not.toContain('outside the app folder');
    }
  });

  it('keeps API paths out of the SPA fallback', async () => {
    const r = await get('/v1/unknown');
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toBe('NotFound');
    expect((await get('/healthz')).json()).toEqual({ ok: true, store: 'sqlite' });
  });
});
