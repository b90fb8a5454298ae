// Release signing (finding 10 of issue 14): the pipeline signs manifests with the operator's
// Ed25519 key; the device's check (workers/release/signature.ts, WebCrypto) accepts exactly the
// manifests signed by the pinned key, whatever a server does to their serialisation or to
// relative artifact URLs, and refuses unsigned, re-signed and altered ones. Node's WebCrypto
// runs the device's check here; test/browser/release-signing.test.ts runs it in Chromium.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, signedManifestBytes } from '../../../src/core/release/index.ts';
import { canonicalJson } from '../../../src/core/release/signature.ts';
import { parseBuildArgs } from '../../../src/pipeline/build/index.ts';
import { defaultSigningKeyFile, loadOrCreateSigningKey, publicKeyFile, signCurrentRelease, verifyManifestSignature, type ReleaseSigningKey } from '../../../src/pipeline/release/index.ts';
import { MANIFEST_FILE, RELEASES_DIR } from '../../../src/pipeline/release/artifact-store.ts';
import { rollback } from '../../../src/pipeline/release/rollback.ts';
import { SigningKeyError, signManifest, signingKeyFromPem } from '../../../src/pipeline/release/signing.ts';
import { serveManifest } from '../../../src/server/releases/release-dir.ts';
import { createManifestVerifier } from '../../../workers/release/signature.ts';
import { TEST_SIGNING_KEY_FILE, testSigningKey } from '../../support/release-key.ts';
import { writeDriftRelease } from '../../support/drift-release.ts';

let work = '';
let key: ReleaseSigningKey;
const other = signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ondeck-signing-'));
  key = testSigningKey();
});
afterAll(() => rm(work, { recursive: true, force: true }));

const items = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, title: `Item ${i}`, categories: ['news'], created: Date.UTC(2024, 3, 1) + i }));

async function release(dir: string, signingKey: ReleaseSigningKey | null, extra: { sequence?: number; releaseId?: string } = {}) {
  return writeDriftRelease({ outDir: join(work, dir), items, ...(signingKey ? { signingKey } : {}), ...extra });
}

function manifestJson(dir: string, file = MANIFEST_FILE): Record<string, unknown> & { artifacts: Array<Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(work, dir, file), 'utf8'));
}

async function rejectionName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return 'resolved';
}

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys at every depth and writes numbers and strings as JSON.stringify does', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 'é\n' }], a: null, c: 1e21, d: 0.1, e: true })).toBe(
      '{"a":null,"b":[3,{"a":"é\\n","z":1}],"c":1e+21,"d":0.1,"e":true}',
    );
    expect(canonicalJson({ x: undefined, y: 1 })).toBe('{"y":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/not a JSON number/);
  });

  it('covers a relative artifact URL by its file name only, an absolute one in full, and never the signature', () => {
    const m = { a: 1, signature: { value: 'x' }, artifacts: [{ url: 'artifacts/abc.bin' }, { url: 'https://cdn.example/abc.bin' }, { url: '//evil.example/abc.bin' }] };
    const text = new TextDecoder().decode(signedManifestBytes(m));
    expect(text).toBe(
      'ondeck-release-manifest\n{"a":1,"artifacts":[{"url":"./abc.bin"},{"url":"https://cdn.example/abc.bin"},{"url":"//evil.example/abc.bin"}]}',
    );
    const rerooted = { ...m, signature: { value: 'y' }, artifacts: [{ url: '/v1/artifacts/abc.bin' }, m.artifacts[1], m.artifacts[2]] };
    expect(signedManifestBytes(rerooted)).toEqual(signedManifestBytes(m));
  });
});

describe('ondeck build signs the manifest', () => {
  it('writes a version-2 manifest whose signature verifies, in Node and with the device check', async () => {
    const written = await release('signed', key);
    const raw = manifestJson('signed');
    expect(raw.formatVersion).toBe(2);
    expect(raw.signature).toMatchObject({ alg: 'Ed25519', key: key.publicKey });
    expect(written.manifest.sequence).toBe(raw.sequence);
    expect(raw.sequence).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1));
    expect(verifyManifestSignature(raw, key.publicKey)).toBe(true);
    expect(verifyManifestSignature(raw, other.publicKey)).toBe(false);
    const checked = await createManifestVerifier({ releaseKey: key.publicKey }).verify('https://app.example/v1/releases/latest', raw);
    expect(checked.signed).toBe(true);
    expect(checked.manifest.releaseId).toBe(written.manifest.releaseId);
  });

  it('stays valid through the server (artifact URLs re-rooted, JSON re-serialised)', async () => {
    await release('served', key);
    const served = JSON.parse(serveManifest(manifestJson('served'), MANIFEST_FILE).body) as { artifacts: Array<{ url: string }> };
    expect(served.artifacts[0]!.url).toMatch(/^\/v1\/artifacts\//);
    expect(verifyManifestSignature(served, key.publicKey)).toBe(true);
    await expect(createManifestVerifier({ releaseKey: key.publicKey }).verify('http://127.0.0.1:8787/v1/releases/latest', served)).resolves.toMatchObject({ signed: true });
  });

  it('gives each publication a higher sequence; the same content again is no conflict', async () => {
    const first = await release('seq', key);
    const again = await release('seq', key);
    expect(again.manifest.releaseId).toBe(first.manifest.releaseId);
    expect(again.manifest.sequence!).toBeGreaterThan(first.manifest.sequence!);
    expect(verifyManifestSignature(manifestJson('seq'), key.publicKey)).toBe(true);
    const pinned = await release('seq', key, { sequence: 5e12 });
    expect(pinned.manifest.sequence).toBe(5e12);
    expect((await release('seq', key)).manifest.sequence).toBe(5e12 + 1);
  });

  it('writes unsigned manifests without a key (still version 2, no sequence)', async () => {
    await release('unsigned', null);
    const raw = manifestJson('unsigned');
    expect(raw.formatVersion).toBe(2);
    expect(raw.signature).toBeUndefined();
    expect(raw.sequence).toBeUndefined();
  });

  it('reads version-1 manifests, and refuses a signature without a sequence or on version 1', async () => {
    await release('v1', null);
    const raw = manifestJson('v1');
    expect(parseManifest({ ...raw, formatVersion: 1 }).formatVersion).toBe(1);
    const signed = signManifest(raw, key, 7);
    expect(() => parseManifest({ ...signed, sequence: undefined })).toThrow(/sequence: a signed manifest needs a sequence/);
    expect(() => parseManifest({ ...signed, formatVersion: 1 })).toThrow(/signature: needs formatVersion 2/);
  });
});

describe('the device check (workers/release/signature.ts)', () => {
  const url = 'https://app.example/v1/releases/latest';

  it('needs a pinned key unless unsigned releases are allowed, and names the field', () => {
    expect(() => createManifestVerifier({})).toThrow(/releaseKey: is required/);
    expect(() => createManifestVerifier({ releaseKey: 'not-a-key' })).toThrow(/releaseKey: must be/);
    expect(() => createManifestVerifier({ releaseKey: key.publicKey, artifactHosts: ['not a url'] })).toThrow(/artifactHosts/);
  });

  it('refuses unsigned, altered and other-key manifests, naming why', async () => {
    await release('device', key);
    const raw = manifestJson('device');
    const check = createManifestVerifier({ releaseKey: key.publicKey });
    const { signature: _s, ...unsigned } = raw;
    expect(await rejectionName(check.verify(url, unsigned))).toMatch(/^ReleaseSignatureError: .* is not signed/);
    const altered = structuredClone(raw);
    altered.artifacts[0]!.sha256 = String(altered.artifacts[0]!.sha256).replace(/^./, (c) => (c === '0' ? '1' : '0'));
    expect(await rejectionName(check.verify(url, altered))).toMatch(/^ReleaseSignatureError: .*does not match its content/);
    const moved = structuredClone(raw);
    moved.artifacts[0]!.url = `https://evil.example/${String(moved.artifacts[0]!.url).split('/').pop()}`;
    expect(await rejectionName(check.verify(url, moved))).toMatch(/^ReleaseSignatureError/);
    const byOther = signManifest(unsigned, other, Number(raw.sequence) + 1);
    expect(await rejectionName(check.verify(url, byOther))).toMatch(/^ReleaseSignatureError: .*signed by key .*not by the release key this app pins/);
    // allowUnsigned lets an unsigned release through, never an altered one.
    const lenient = createManifestVerifier({ releaseKey: key.publicKey, allowUnsigned: true });
    expect(await lenient.verify(url, unsigned)).toMatchObject({ signed: false });
    expect(await rejectionName(lenient.verify(url, altered))).toMatch(/^ReleaseSignatureError/);
    // No key at all: nothing is verified, so nothing counts as signed.
    expect(await createManifestVerifier({ allowUnsigned: true }).verify(url, raw)).toMatchObject({ signed: false });
  });

  it('restricts artifact hosts when asked', async () => {
    await release('hosts', null);
    const raw = manifestJson('hosts');
    raw.artifacts[0]!.url = 'https://cdn.example/a.bin';
    const check = (hosts?: string[]) => createManifestVerifier({ allowUnsigned: true, ...(hosts ? { artifactHosts: hosts } : {}) }).verify(url, raw);
    await expect(check()).resolves.toBeTruthy();
    await expect(check(['https://cdn.example'])).resolves.toBeTruthy();
    expect(await rejectionName(check([]))).toMatch(/^ReleaseManifestError: .*is on https:\/\/cdn\.example, which is neither the manifest's origin nor one of artifactHosts/);
  });
});

describe('rollback and re-signing', () => {
  it('re-signs a rolled-back release above the current sequence, so devices take it', async () => {
    const old = await release('rb', key, { releaseId: 'r-old' });
    const current = await release('rb', key, { releaseId: 'r-new' });
    const plain = await rollback(join(work, 'rb'), 'r-old');
    expect(plain.sequence).toBe(old.manifest.sequence);
    await release('rb', key, { releaseId: 'r-new' });
    const back = await rollback(join(work, 'rb'), 'r-old', { signingKey: key });
    expect(back.releaseId).toBe('r-old');
    expect(back.sequence!).toBeGreaterThan(current.manifest.sequence!);
    expect(verifyManifestSignature(manifestJson('rb'), key.publicKey)).toBe(true);
    // The saved copy is untouched: releases/<id>.json is that release's first publication.
    expect(manifestJson('rb', `${RELEASES_DIR}/r-old.json`).sequence).toBe(old.manifest.sequence);
  });

  it('signs a release written before signing, once', async () => {
    await release('late', null);
    const dir = join(work, 'late');
    expect(await signCurrentRelease(dir, key)).toBe(true);
    expect(verifyManifestSignature(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')), key.publicKey)).toBe(true);
    expect(await signCurrentRelease(dir, key)).toBe(false);
    expect(await signCurrentRelease(dir, other)).toBe(true);
    expect(verifyManifestSignature(JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')), other.publicKey)).toBe(true);
  });
});

describe('the signing key', () => {
  it('lives beside the release folder by default, never in it', () => {
    const file = defaultSigningKeyFile('/srv/ondeck/models');
    expect(file).toBe('/srv/ondeck/models.signing-key.pem');
    expect(dirname(file)).toBe('/srv/ondeck');
    expect(basename(file).startsWith('models')).toBe(true);
  });

  it('is generated once (0600, public key beside it), then loaded', () => {
    const file = join(work, 'keys', 'demo.signing-key.pem');
    const made = loadOrCreateSigningKey(file);
    expect(made.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(publicKeyFile(file), 'utf8').trim()).toBe(made.key.publicKey);
    expect(Buffer.from(made.key.publicKey, 'base64')).toHaveLength(32);
    const again = loadOrCreateSigningKey(file);
    expect(again.created).toBe(false);
    expect(again.key.publicKey).toBe(made.key.publicKey);
  });

  it('must be an Ed25519 private key', () => {
    const rsa = join(work, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadOrCreateSigningKey(rsa)).toThrow(SigningKeyError);
    expect(() => loadOrCreateSigningKey(rsa)).toThrow(/rsa key; release signing keys are Ed25519/);
    expect(existsSync(TEST_SIGNING_KEY_FILE)).toBe(true);
  });

  it('is chosen by --signing-key, else $ONDECK_SIGNING_KEY', () => {
    const base = ['--dataset', 'synthetic'];
    expect(parseBuildArgs(base).signingKey).toBeUndefined();
    expect(parseBuildArgs(base, { ONDECK_SIGNING_KEY: '/keys/env.pem' }).signingKey).toBe('/keys/env.pem');
    expect(parseBuildArgs([...base, '--signing-key', '/keys/flag.pem'], { ONDECK_SIGNING_KEY: '/keys/env.pem' }).signingKey).toBe('/keys/flag.pem');
  });
});
