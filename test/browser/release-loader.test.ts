// The release loader against the real fixture release, real Cache Storage and WebCrypto in
// Chromium. The network is the real test server behind a fake fetch that can go offline,
// answer an HTTP error, damage the bytes of one URL, or serve an edited manifest.
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import type { ReleaseIntegrityError } from '../../src/core/release/errors.ts';
import { decodeShard } from '../../src/core/shard/index.ts';
import { createReleaseStore, type LoadedRelease, type ReleaseFetch } from '../../workers/release/index.ts';
import { sha256Hex } from '../../workers/release/verify.ts';
import { resignManifest } from '../support/sign-manifest.ts';

const manifestUrl = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const REQUIRED = ['head', 'centroids', 'ranker', 'user-tower', 'steps'];

let fixtureText = '';
let fixture: ReleaseManifest;
/** Each artifact's bytes as the server has them, fetched without the loader. */
const served = new Map<string, Uint8Array>();

beforeAll(async () => {
  fixtureText = await (await fetch(manifestUrl)).text();
  fixture = parseManifest(JSON.parse(fixtureText));
  for (const a of fixture.artifacts) served.set(a.name, new Uint8Array(await (await fetch(urlOf(a.name))).arrayBuffer()));
});

let cacheName = '';
beforeEach(() => {
  // A cache of its own per test: nothing leaks between tests or between the two browser projects.
  cacheName = `ondeck-release-test-${crypto.randomUUID()}`;
});
afterEach(async () => {
  await caches.delete(cacheName);
});

interface FakeNet {
  fetch: ReleaseFetch;
  /** Absolute URLs asked for, in order (offline requests included). */
  calls: string[];
  inits: Map<string, RequestInit | undefined>;
  offline: boolean;
  /** URL -> an HTTP status to answer instead of the file. */
  status: Map<string, number>;
  /** URL -> what to do to the bytes the server sends. */
  damage: Map<string, (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>>;
  /** Served in place of the real manifest when not null. */
  manifest: string | null;
}

function fakeNet(): FakeNet {
  const net: FakeNet = {
    calls: [],
    inits: new Map(),
    offline: false,
    status: new Map(),
    damage: new Map(),
    manifest: null,
    async fetch(url, init) {
      const abs = new URL(url, location.href).href;
      net.calls.push(abs);
      net.inits.set(abs, init);
      if (net.offline) throw new TypeError('Failed to fetch');
      const status = net.status.get(abs);
      if (status !== undefined) return new Response('not here', { status });
      if (abs === manifestUrl && net.manifest !== null) return new Response(await signedByPublisher(net.manifest), { headers: { 'content-type': 'application/json' } });
      // Edited manifests give an artifact a new URL by a ?query (a new cache key, same bytes);
      // the test server knows only the files.
      const res = await fetch(abs.replace(/\?.*$/, ''), init);
      const damage = net.damage.get(abs);
      return damage ? new Response(damage(new Uint8Array(await res.arrayBuffer()))) : res;
    },
  };
  return net;
}

/**
 * An edited manifest as its publisher would sign it: these tests are about what the loader does
 * after the signature checks out (hashes, caching, fallbacks); release-signing.test.ts serves
 * manifests nobody signed. Text that is not JSON goes out as it is.
 */
async function signedByPublisher(text: string): Promise<string> {
  let json: object;
  try {
    json = JSON.parse(text) as object;
  } catch {
    return text;
  }
  return JSON.stringify(await resignManifest(json, inject('releaseSigningKey')));
}

interface EditableManifest {
  releaseId: string;
  formatVersion: number;
  artifacts: Array<{ name: string; url: string; bytes: number; sha256: string }>;
}

/** The fixture manifest's JSON after `edit`. */
function edited(edit: (m: EditableManifest) => void): string {
  const m = JSON.parse(fixtureText) as EditableManifest;
  edit(m);
  return JSON.stringify(m);
}

function entry(m: EditableManifest, name: string): EditableManifest['artifacts'][number] {
  return m.artifacts.find((a) => a.name === name)!;
}

function refOf(name: string) {
  return fixture.artifacts.find((a) => a.name === name)!;
}

function urlOf(name: string, query = ''): string {
  return new URL(refOf(name).url + query, manifestUrl).href;
}

function store(net: FakeNet) {
  return createReleaseStore({ manifestUrl, releaseKey, cacheName, fetch: net.fetch });
}

function sameBytes(a: ArrayBuffer | Uint8Array, b: Uint8Array): boolean {
  const x = a instanceof Uint8Array ? a : new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

async function cachedUrls(): Promise<string[]> {
  return (await (await caches.open(cacheName)).keys()).map((r) => r.url);
}

async function rejection(p: Promise<unknown>): Promise<Error & { cause?: unknown }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const flipFirstByte = (b: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
  const out = b.slice();
  out[0] = out[0]! ^ 0xff;
  return out;
};

async function expectFixtureBytes(release: LoadedRelease, names: string[]): Promise<void> {
  for (const name of names) {
    const bytes = await release.artifact(name);
    expect(bytes.byteLength, name).toBe(refOf(name).bytes);
    expect(await sha256Hex(bytes), name).toBe(refOf(name).sha256);
    expect(sameBytes(bytes, served.get(name)!), name).toBe(true);
  }
}

describe('loading a release', () => {
  it('comes from the network the first time: every required artifact fetched, verified and cached', async () => {
    const net = fakeNet();
    const release = await store(net).load();
    expect(release.source).toBe('network');
    expect(release.problem).toBeNull();
    expect(release.manifest).toEqual(fixture);
    // The manifest (revalidated) and the five required artifacts (the step table too), each once; no cluster shard.
    expect([...net.calls].sort()).toEqual([manifestUrl, ...REQUIRED.map((n) => urlOf(n))].sort());
    expect(net.inits.get(manifestUrl)?.cache).toBe('no-cache');
    await expectFixtureBytes(release, REQUIRED);
    const head = decodeShard(await release.shard(-1));
    expect(head.count).toBeGreaterThan(0);
    expect(head.dim).toBe(fixture.embeddingDim);
    const cached = await cachedUrls();
    for (const name of REQUIRED) expect(cached).toContain(urlOf(name));
    expect(cached).not.toContain(urlOf('cluster-0'));
    expect(cached).toContain(`${manifestUrl}?ondeck-last-good=1`);
  });

  it('offline, serves the last good release from the cache: same manifest, identical bytes', async () => {
    const first = await store(fakeNet()).load();
    const net = fakeNet();
    net.offline = true;
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest).toEqual(first.manifest);
    expect(release.problem?.name).toBe('ReleaseFetchError');
    expect(release.problem?.message).toContain(manifestUrl);
    await expectFixtureBytes(release, REQUIRED);
    // Asked again: read back from Cache Storage and verified again, still identical.
    await expectFixtureBytes(release, REQUIRED);
    expect(net.calls).toEqual([manifestUrl]);
  });

  it('keeps the last good release when a new manifest has a wrong hash for the ranker', async () => {
    await store(fakeNet()).load();
    const net = fakeNet();
    const wrong = 'f'.repeat(64);
    net.manifest = edited((m) => {
      m.releaseId = 'r-next';
      entry(m, 'ranker').sha256 = wrong;
    });
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest.releaseId).toBe(fixture.releaseId);
    expect(release.problem?.name).toBe('ReleaseIntegrityError');
    expect(release.problem?.message).toContain('"ranker"');
    expect(release.problem?.message).toContain(`expected sha256 ${wrong}, got ${refOf('ranker').sha256}`);
    await expectFixtureBytes(release, REQUIRED);
    // The bad release was never recorded, and the good ranker in the cache was not touched.
    const offline = fakeNet();
    offline.offline = true;
    const again = await store(offline).load();
    expect(again.manifest.releaseId).toBe(fixture.releaseId);
    await expectFixtureBytes(again, ['ranker']);
  });

  it('keeps the last good release when a new release downloads truncated', async () => {
    await store(fakeNet()).load();
    const net = fakeNet();
    net.manifest = edited((m) => {
      m.releaseId = 'r-next';
      entry(m, 'ranker').url += '?v=2';
    });
    net.damage.set(urlOf('ranker', '?v=2'), (b) => b.slice(0, 1000));
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest.releaseId).toBe(fixture.releaseId);
    expect(release.problem?.name).toBe('ReleaseIntegrityError');
    expect(release.problem?.message).toContain(`"ranker" from the network (${urlOf('ranker', '?v=2')})`);
    expect(release.problem?.message).toContain(`expected ${refOf('ranker').bytes} bytes, got 1000`);
    // Nothing of the failed release was stored.
    expect(await cachedUrls()).not.toContain(urlOf('ranker', '?v=2'));
  });

  it('never hands out a corrupted download: with nothing cached, no release is available', async () => {
    const net = fakeNet();
    net.damage.set(urlOf('ranker'), flipFirstByte);
    const err = await rejection(store(net).load());
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain('no last good release is cached');
    const cause = err.cause as ReleaseIntegrityError;
    expect(cause.name).toBe('ReleaseIntegrityError');
    expect(cause.artifact).toBe('ranker');
    expect(cause.expected!.sha256).toBe(refOf('ranker').sha256);
    expect(cause.actual!.bytes).toBe(refOf('ranker').bytes);
    expect(cause.actual!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(cause.actual!.sha256).not.toBe(refOf('ranker').sha256);
    expect(await cachedUrls()).not.toContain(urlOf('ranker'));
  });

  it.each([404, 500])('falls back to the last good release when the manifest URL answers %i', async (status) => {
    await store(fakeNet()).load();
    const net = fakeNet();
    net.status.set(manifestUrl, status);
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest).toEqual(fixture);
    expect(release.problem).toEqual({ name: 'ReleaseFetchError', message: `could not fetch ${manifestUrl}: HTTP ${status}` });
    await expectFixtureBytes(release, REQUIRED);
  });

  it('falls back when a new manifest points to an artifact that is not there', async () => {
    await store(fakeNet()).load();
    const net = fakeNet();
    net.manifest = edited((m) => {
      m.releaseId = 'r-next';
      entry(m, 'user-tower').url = 'artifacts/missing.onnx';
    });
    const missing = new URL('artifacts/missing.onnx', manifestUrl).href;
    net.status.set(missing, 404);
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest.releaseId).toBe(fixture.releaseId);
    expect(release.problem).toEqual({ name: 'ReleaseFetchError', message: `could not fetch ${missing}: HTTP 404` });
  });

  it('falls back when the new manifest is invalid or not JSON', async () => {
    await store(fakeNet()).load();
    const net = fakeNet();
    net.manifest = edited((m) => {
      m.formatVersion = 3;
    });
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.problem?.name).toBe('ReleaseManifestError');
    expect(release.problem?.message).toContain('formatVersion');
    net.manifest = '{"format": "ondeck-rel';
    const again = await store(net).load();
    expect(again.problem?.name).toBe('ReleaseManifestError');
    expect(again.problem?.message).toBe(`the manifest at ${manifestUrl} is invalid: not JSON`);
    expect(again.manifest).toEqual(fixture);
  });

  it('throws ReleaseUnavailableError when offline with nothing cached', async () => {
    const net = fakeNet();
    net.offline = true;
    const err = await rejection(store(net).load());
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain(manifestUrl);
    expect(err.message).toContain('no last good release is cached');
    expect((err.cause as Error).name).toBe('ReleaseFetchError');
    expect((err.cause as Error).message).toContain('Failed to fetch');
  });
});

describe('cluster shards', () => {
  it('are fetched only on shard(c), once, then work offline', async () => {
    const net = fakeNet();
    const release = await store(net).load();
    const clusterUrl = urlOf('cluster-0');
    expect(net.calls).not.toContain(clusterUrl);
    // Two callers at once share one download, yet each gets a buffer of its own.
    const [a, b] = await Promise.all([release.shard(0), release.shard(0)]);
    expect(net.calls.filter((u) => u === clusterUrl)).toHaveLength(1);
    expect(a.buffer).not.toBe(b.buffer);
    expect(sameBytes(a, served.get('cluster-0')!)).toBe(true);
    expect(sameBytes(b, served.get('cluster-0')!)).toBe(true);
    const shard = decodeShard(a);
    expect(shard.count).toBeGreaterThan(0);
    expect(shard.dim).toBe(fixture.embeddingDim);

    const offline = fakeNet();
    offline.offline = true;
    const later = await store(offline).load();
    expect(later.source).toBe('cache');
    expect(sameBytes(await later.shard(0), served.get('cluster-0')!)).toBe(true);
    expect(offline.calls).toEqual([manifestUrl]);
  });

  it('offline and never fetched: a named error, as for unknown clusters and names', async () => {
    const net = fakeNet();
    const release = await store(net).load();
    net.offline = true;
    const err = await rejection(release.shard(0));
    expect(err.name).toBe('ReleaseFetchError');
    expect(err.message).toContain(urlOf('cluster-0'));
    expect((await rejection(release.shard(7))).name).toBe('ReleaseLookupError');
    const unknown = await rejection(release.artifact('nope'));
    expect(unknown.name).toBe('ReleaseLookupError');
    expect(unknown.message).toContain('head, cluster-0, centroids, ranker, user-tower');
  });
});

describe('Cache Storage tampered with', () => {
  async function tamper(url: string): Promise<void> {
    const cache = await caches.open(cacheName);
    const bytes = new Uint8Array(await (await cache.match(url))!.arrayBuffer());
    await cache.put(url, new Response(flipFirstByte(bytes)));
  }

  it('is detected on read; repaired from the network when online', async () => {
    const net = fakeNet();
    const release = await store(net).load();
    await release.artifact('ranker'); // the copy verified during load() is handed out once
    await tamper(urlOf('ranker'));

    net.offline = true;
    const err = (await rejection(release.artifact('ranker'))) as ReleaseIntegrityError;
    expect(err.name).toBe('ReleaseIntegrityError');
    expect(err.artifact).toBe('ranker');
    expect(err.source).toBe('cache');
    expect(err.message).toContain(`"ranker" from the cache (${urlOf('ranker')})`);
    expect((err.cause as Error).name).toBe('ReleaseFetchError');

    net.offline = false;
    const before = net.calls.length;
    await expectFixtureBytes(release, ['ranker']);
    expect(net.calls.slice(before)).toEqual([urlOf('ranker')]);
    const repaired = await (await caches.open(cacheName)).match(urlOf('ranker'));
    expect(await sha256Hex(await repaired!.arrayBuffer())).toBe(refOf('ranker').sha256);
  });

  it('makes a damaged last good release unusable offline, and says which artifact', async () => {
    await store(fakeNet()).load();
    await tamper(urlOf('centroids'));
    const net = fakeNet();
    net.offline = true;
    const err = await rejection(store(net).load());
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain(`${fixture.releaseId}: ReleaseIntegrityError: artifact "centroids" from the cache`);
  });

  it('falls back to the previous release when the current one is damaged', async () => {
    await store(fakeNet()).load();
    const next = fakeNet();
    next.manifest = edited((m) => {
      m.releaseId = 'r-next';
      entry(m, 'ranker').url += '?r=next';
    });
    expect((await store(next).load()).manifest.releaseId).toBe('r-next');
    await tamper(urlOf('ranker', '?r=next'));
    const net = fakeNet();
    net.offline = true;
    const release = await store(net).load();
    expect(release.source).toBe('cache');
    expect(release.manifest.releaseId).toBe(fixture.releaseId);
    await expectFixtureBytes(release, REQUIRED);
  });
});

describe('pruning', () => {
  it('keeps the artifacts of the current and the previous release only, and only its own', async () => {
    const foreign = 'https://example.com/not-ours.bin';
    await (await caches.open(cacheName)).put(foreign, new Response('keep me'));
    const a = await store(fakeNet()).load();
    await a.shard(0);
    const versions = ['b', 'c'].map((v) =>
      edited((m) => {
        m.releaseId = `r-${v}`;
        entry(m, 'head').url += `?r=${v}`;
        entry(m, 'cluster-0').url += `?r=${v}`;
      }),
    );
    for (const manifest of versions) {
      const net = fakeNet();
      net.manifest = manifest;
      const release = await store(net).load();
      expect(release.problem).toBeNull();
      await release.shard(0);
    }
    // Loading the current release again must not push the previous one out.
    const again = fakeNet();
    again.manifest = versions[1]!;
    expect((await store(again).load()).manifest.releaseId).toBe('r-c');

    const cached = await cachedUrls();
    for (const v of ['b', 'c']) {
      expect(cached).toContain(urlOf('head', `?r=${v}`));
      expect(cached).toContain(urlOf('cluster-0', `?r=${v}`));
    }
    // Release a's own head and cluster shard are gone; what it shares with b and c stays.
    expect(cached).not.toContain(urlOf('head'));
    expect(cached).not.toContain(urlOf('cluster-0'));
    for (const name of ['centroids', 'ranker', 'user-tower']) expect(cached).toContain(urlOf(name));
    expect(cached).toContain(foreign);
  });
});

describe('without Cache Storage', () => {
  it('works online from memory and says the release will not be there offline', async () => {
    // Insecure contexts and some sandboxed webviews have no `caches` at all. (On a [Global]
    // object the attribute is an own property, so it is saved and put back, not deleted.)
    const original = Object.getOwnPropertyDescriptor(globalThis, 'caches')!;
    Object.defineProperty(globalThis, 'caches', { value: undefined, configurable: true });
    try {
      const net = fakeNet();
      const release = await store(net).load();
      expect(release.source).toBe('network');
      expect(release.problem?.name).toBe('ReleaseStorageError');
      expect(release.problem?.message).toContain('Cache Storage is not available');
      await expectFixtureBytes(release, REQUIRED);
      net.offline = true;
      // Handed out once from memory; after that only the network could serve it.
      expect((await rejection(release.artifact('ranker'))).name).toBe('ReleaseFetchError');
      expect((await rejection(store(net).load())).name).toBe('ReleaseUnavailableError');
    } finally {
      Object.defineProperty(globalThis, 'caches', original);
    }
    expect(typeof caches.open).toBe('function');
  });
});

describe('the loader in a worker', () => {
  it('loads, verifies and caches the release inside a module worker', async () => {
    const module = new URL('../../workers/release/index.ts', import.meta.url).href;
    const source = `
      self.onmessage = async ({ data }) => {
        try {
          const { createReleaseStore } = await import(data.module);
          const release = await createReleaseStore({ manifestUrl: data.manifestUrl, releaseKey: data.releaseKey, cacheName: data.cacheName }).load();
          const head = await release.shard(-1);
          self.postMessage({ ok: true, source: release.source, releaseId: release.manifest.releaseId, headBytes: head.byteLength });
        } catch (err) {
          self.postMessage({ ok: false, name: err.name, message: err.message });
        }
      };`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
    const reply = await new Promise<unknown>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ module, manifestUrl, releaseKey, cacheName });
    });
    worker.terminate();
    expect(reply).toEqual({ ok: true, source: 'network', releaseId: fixture.releaseId, headBytes: refOf('head').bytes });
    // The page sees what the worker stored: the same origin's Cache Storage.
    expect(await cachedUrls()).toContain(urlOf('ranker'));
  });
});
