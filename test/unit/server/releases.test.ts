import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/core/release/index.ts';
import { ensureFixtureRelease } from '../../support/fixture-release.ts';
import { tempDir, testServer, type TestServer } from '../../support/server-app.ts';

let s: TestServer;
let releaseDir: string;
const tmp = tempDir('ondeck-releases-');
beforeAll(async () => {
  // A copy, so a test can publish a new manifest without touching the shared fixture.
  releaseDir = join(tmp.dir, 'release');
  cpSync(await ensureFixtureRelease(), releaseDir, { recursive: true });
  s = await testServer({ releaseDir });
}, 600_000);
afterAll(async () => {
  await s.close();
  tmp.remove();
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fileManifest = () => JSON.parse(readFileSync(join(releaseDir, 'manifest.json'), 'utf8'));

describe('GET /v1/releases', () => {
  it('serves the latest manifest, valid, with artifact URLs on this server that resolve to the right bytes', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const manifest = parseManifest(r.json());
    expect(manifest.releaseId).toBe(fileManifest().releaseId);
    const base = 'http://ondeck.test/v1/releases/latest';
    for (const a of manifest.artifacts) {
      const url = new URL(a.url, base);
      expect(url.pathname).toBe(`/v1/artifacts/${a.sha256}.${a.kind === 'model' ? 'onnx' : 'bin'}`);
      const bytes = await s.app.inject({ method: 'GET', url: url.pathname });
      expect(bytes.statusCode).toBe(200);
      expect(bytes.rawPayload.length).toBe(a.bytes);
      expect(sha256(bytes.rawPayload)).toBe(a.sha256);
    }
  });

  it('answers 304 to a matching If-None-Match, and a new ETag after a new release is published', async () => {
    const first = await s.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await s.app.inject({ method: 'GET', url: '/v1/releases/latest', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect((await s.app.inject({ method: 'GET', url: '/v1/releases/latest', headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);

    const m = fileManifest();
    writeFileSync(join(releaseDir, 'manifest.json'), JSON.stringify({ ...m, releaseId: 'r-republished', created: '2026-11-21T00:00:00.000Z' }));
    const next = await s.app.inject({ method: 'GET', url: '/v1/releases/latest', headers: { 'if-none-match': etag } });
    expect(next.statusCode).toBe(200);
    expect(next.headers.etag).not.toBe(etag);
    expect(next.json().releaseId).toBe('r-republished');
    writeFileSync(join(releaseDir, 'manifest.json'), JSON.stringify(m, null, 2));
  });

  it('serves a release by id and 404s unknown ids', async () => {
    const id = fileManifest().releaseId as string;
    const r = await s.app.inject({ method: 'GET', url: `/v1/releases/${id}` });
    expect(r.statusCode).toBe(200);
    expect(parseManifest(r.json()).releaseId).toBe(id);
    for (const bad of ['r-missing', '..%2F..%2Fmanifest', '%2e%2e']) {
      const nf = await s.app.inject({ method: 'GET', url: `/v1/releases/${bad}` });
      expect(nf.statusCode, bad).toBe(404);
      expect(nf.json().error).toBe('NotFound');
    }
  });

  it('is readable from any origin', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/v1/releases/latest', headers: { origin: 'https://elsewhere.example' } });
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('answers 404 before the first publish and 500 for a broken manifest, naming no server path', async () => {
    const dir = join(tmp.dir, 'empty-release');
    mkdirSync(dir);
    const e = await testServer({ releaseDir: dir });
    const none = await e.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual({ error: 'ReleaseUnavailable', message: expect.stringContaining('no manifest.json') });
    writeFileSync(join(dir, 'manifest.json'), '{"format":"ondeck-release",');
    const broken = await e.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    expect(broken.statusCode).toBe(500);
    expect(broken.json()).toEqual({ error: 'ReleaseUnavailable', message: 'manifest.json is not valid JSON' });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...fileManifest(), artifacts: [] }));
    const invalid = await e.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    expect(invalid.statusCode).toBe(500);
    expect(invalid.json().message).toMatch(/^manifest\.json is not a valid release manifest: artifacts/);
    expect(invalid.body).not.toContain(tmp.dir);
    await e.close();
  });

  it('answers 404 with a clear error when the server has no release folder', async () => {
    const bare = await testServer();
    const r = await bare.app.inject({ method: 'GET', url: '/v1/releases/latest' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: 'ReleaseUnavailable', message: expect.stringContaining('no release folder') });
    await bare.close();
  });
});

describe('GET /v1/artifacts', () => {
  const artifacts = () => parseManifest(fileManifest()).artifacts;

  it('serves artifacts immutable, cross-origin, with their hash as ETag', async () => {
    const a = artifacts().find((x) => x.kind === 'model')!;
    const r = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${a.sha256}.onnx`, headers: { origin: 'https://elsewhere.example' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(r.headers.etag).toBe(`"${a.sha256}"`);
    expect(r.headers['content-length']).toBe(String(a.bytes));
    expect((await s.app.inject({ method: 'GET', url: `/v1/artifacts/${a.sha256}.onnx`, headers: { 'if-none-match': `"${a.sha256}"` } })).statusCode).toBe(304);
    // Without an extension, the one file of that hash.
    const bare = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${a.sha256}` });
    expect(sha256(bare.rawPayload)).toBe(a.sha256);
  });

  it('compresses with gzip or brotli when asked, and the bytes survive', async () => {
    for (const a of artifacts().filter((x) => x.bytes > 1024)) {
      const ext = a.kind === 'model' ? 'onnx' : 'bin';
      const gz = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${a.sha256}.${ext}`, headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gz.headers.vary).toMatch(/accept-encoding/i);
      expect(sha256(gunzipSync(gz.rawPayload))).toBe(a.sha256);
      const br = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${a.sha256}.${ext}`, headers: { 'accept-encoding': 'br, gzip' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(sha256(brotliDecompressSync(br.rawPayload))).toBe(a.sha256);
      if (a.kind === 'model') expect(br.rawPayload.length).toBeLessThan(a.bytes);
    }
  });

  it('404s an unknown hash and refuses names that are not hashes', async () => {
    const unknown = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${'0'.repeat(64)}.bin` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toBe('NotFound');
    const attempts = ['..%2Fmanifest.json', '..%2F..%2F..%2Fetc%2Fpasswd', `${'a'.repeat(63)}.bin`, `${'A'.repeat(64)}.bin`, `${'a'.repeat(64)}.bin%00.txt`, `${'a'.repeat(64)}%2F..%2F..%2Fmanifest.json`, '%2e%2e%2f%2e%2e%2fpackage.json'];
    for (const name of attempts) {
      const r = await s.app.inject({ method: 'GET', url: `/v1/artifacts/${name}` });
      expect(r.statusCode, name).toBe(400);
      expect(r.json(), name).toMatchObject({ error: 'ValidationError', field: 'file' });
    }
    for (const path of ['/v1/artifacts/../manifest.json', '/v1/artifacts/../../package.json', '/v1/artifacts/']) {
      const r = await s.app.inject({ method: 'GET', url: path });
      expect(r.statusCode, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('ondeck-release');
      expect(r.body, path).not.toContain('"dependencies"');
    }
  });
});
