// Signed releases in a real page (issue 14, finding 10): the device pins the release key, and a
// manifest that is tampered with, unsigned, signed by another key, truncated or older than the
// last good release never reaches the ranker. Nothing it names is even downloaded, the last good
// release stays in use, and status() names the reason. An artifact that runs past its declared
// size is read no further than that. Images from shards load over https or same origin only, and
// send no referrer.
import { describe, expect, inject, it } from 'vitest';
import { renderThumb, safeImageUrl } from '../../src/client/ondeck-feed-card.ts';
import type { FeedItem } from '../../src/core/feed/index.ts';
import { FeedService } from '../../workers/feed/feed-service.ts';
import { resignManifest } from '../support/sign-manifest.ts';

const fixtureUrl = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const signingKey = inject('releaseSigningKey');
const NOW = Date.UTC(2025, 5, 1, 12);

interface Manifest {
  releaseId: string;
  sequence: number;
  signature?: unknown;
  artifacts: Array<{ name: string; kind: string; url: string; bytes: number; sha256: string }>;
}

/**
 * A manifest URL of the test's own (the last good record is kept per manifest URL, so each test
 * starts with an empty one), a fetch that serves `manifest()` there and records every URL asked
 * for, and `body(url)` to replace what an artifact URL answers.
 */
function scenario() {
  const url = `${fixtureUrl}?case=${crypto.randomUUID()}`;
  const calls: string[] = [];
  const net = {
    url,
    calls,
    manifest: null as null | (() => Promise<string> | string),
    body: new Map<string, () => Response>(),
    fetch: async (u: string, init?: RequestInit): Promise<Response> => {
      const abs = new URL(u, location.href).href;
      calls.push(abs);
      if (abs === url && net.manifest) return new Response(await net.manifest(), { headers: { 'content-type': 'application/json' } });
      const replaced = net.body.get(abs);
      if (replaced) return replaced();
      return fetch(abs.replace(/\?.*$/, ''), init);
    },
  };
  return net;
}

async function fixture(): Promise<Manifest> {
  return (await (await fetch(fixtureUrl)).json()) as Manifest;
}

async function feedOn(net: ReturnType<typeof scenario>, options: { releaseKey?: string; allowUnsigned?: boolean } = { releaseKey }) {
  const feed = new FeedService({ fetch: net.fetch, now: () => NOW });
  const status = await feed.init({ release: net.url, ...options, backend: 'js', rankingProviders: ['wasm'], database: `signing-${crypto.randomUUID()}` });
  return { feed, status };
}

/** A manifest that differs from the fixture: its own id, and a ranker URL of its own, so any use of it shows in `calls`. */
function marked(m: Manifest, id: string): Manifest {
  const out = structuredClone(m);
  out.releaseId = id;
  const ranker = out.artifacts.find((a) => a.kind === 'model')!;
  ranker.url = `${ranker.url}?from=${id}`;
  return out;
}

function fetchedFor(net: ReturnType<typeof scenario>, id: string): string[] {
  return net.calls.filter((c) => c.includes(`from=${id}`));
}

/** A good load first (the last good release), then `bad` in its place; returns the second feed's status. */
async function afterGood(bad: (m: Manifest) => Promise<string> | string) {
  const net = scenario();
  const good = await feedOn(net);
  expect(good.status.release).toEqual({ signed: true, sequence: expect.any(Number) });
  const m = await fixture();
  net.manifest = () => bad(m);
  const { feed, status } = await feedOn(net);
  expect(status.releaseId).toBe(good.status.releaseId);
  expect(status.cached).toBe(true);
  expect(status.release?.signed).toBe(true);
  expect(await feed.next({ count: 10 })).toHaveLength(10);
  return { net, status };
}

async function initError(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected init to fail');
}

describe('signed releases', () => {
  it('serves a release signed by the pinned key, and says so', async () => {
    const { feed, status } = await feedOn(scenario());
    expect(status.release).toEqual({ signed: true, sequence: (await fixture()).sequence });
    expect(status.releaseProblem).toBeNull();
    expect(await feed.next({ count: 10 })).toHaveLength(10);
  });

  it('keeps the last good release when the manifest was tampered with', async () => {
    const { net, status } = await afterGood((m) => JSON.stringify(marked(m, 'r-tampered')));
    expect(status.releaseProblem?.name).toBe('ReleaseSignatureError');
    expect(status.releaseProblem?.message).toContain('does not match its content');
    expect(fetchedFor(net, 'r-tampered')).toEqual([]);
  });

  it('keeps the last good release when the manifest is unsigned', async () => {
    const { net, status } = await afterGood((m) => {
      const { signature: _s, ...unsigned } = marked(m, 'r-unsigned');
      return JSON.stringify(unsigned);
    });
    expect(status.releaseProblem?.name).toBe('ReleaseSignatureError');
    expect(status.releaseProblem?.message).toContain('is not signed');
    expect(fetchedFor(net, 'r-unsigned')).toEqual([]);
  });

  it('keeps the last good release when the manifest is truncated', async () => {
    const { status } = await afterGood(async (m) => {
      const text = JSON.stringify(await resignManifest(marked(m, 'r-cut'), signingKey));
      return text.slice(0, Math.floor(text.length / 2));
    });
    expect(status.releaseProblem?.name).toBe('ReleaseManifestError');
    expect(status.releaseProblem?.message).toContain('not JSON');
  });

  it('refuses a validly signed release older than the last good one (rollback)', async () => {
    const { net, status } = await afterGood(async (m) => JSON.stringify(await resignManifest({ ...marked(m, 'r-older'), sequence: m.sequence - 1 }, signingKey)));
    expect(status.releaseProblem?.name).toBe('ReleaseRollbackError');
    expect(status.releaseProblem?.message).toMatch(/release r-older \(sequence \d+\) is older than the last good release r-\S+ \(sequence \d+\)/);
    expect(fetchedFor(net, 'r-older')).toEqual([]);
  });

  it('takes a newer signed release, then refuses to go back to the one before it', async () => {
    const net = scenario();
    const m = await fixture();
    await feedOn(net);
    const newer = await resignManifest({ ...m, releaseId: 'r-newer', sequence: m.sequence + 1 }, signingKey);
    net.manifest = () => JSON.stringify(newer);
    expect((await feedOn(net)).status).toMatchObject({ releaseId: 'r-newer', cached: false, releaseProblem: null, release: { signed: true, sequence: m.sequence + 1 } });
    net.manifest = () => JSON.stringify(m);
    const back = await feedOn(net);
    expect(back.status.releaseId).toBe('r-newer');
    expect(back.status.releaseProblem?.name).toBe('ReleaseRollbackError');
  });

  it('refuses a release signed by another key, and with nothing cached does not start', async () => {
    const net = scenario();
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const err = await initError(feedOn(net, { releaseKey: otherKey }));
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain('ReleaseSignatureError');
    expect(err.message).toContain('not by the release key this app pins');
    // Only the manifest was fetched: nothing it names.
    expect(net.calls).toEqual([net.url]);
  });

  it('uses an unsigned release only with allowUnsigned, and status() says it is unsigned', async () => {
    const net = scenario();
    const { signature: _s, ...unsigned } = await fixture();
    net.manifest = () => JSON.stringify(unsigned);
    const err = await initError(feedOn(net));
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain('is not signed');
    expect(net.calls).toEqual([net.url]);
    const { feed, status } = await feedOn(net, { releaseKey, allowUnsigned: true });
    expect(status.release).toEqual({ signed: false, sequence: unsigned.sequence });
    expect(await feed.next({ count: 5 })).toHaveLength(5);
    // Without a pinned key nothing can be verified: even a signed release counts as unsigned.
    const keyless = await feedOn(scenario(), { allowUnsigned: true });
    expect(keyless.status.release?.signed).toBe(false);
    // Without either, the feed does not start and names the option.
    const none = await initError(feedOn(scenario(), {}));
    expect(none.name).toBe('ValidationError');
    expect(none.message).toMatch(/^releaseKey: is required/);
  });
});

describe('artifact sizes', () => {
  /**
   * The fixture, signed again with the `kind` artifact at a URL of its own (a new cache key: the
   * bytes are not in Cache Storage from an earlier test), whose body `body` makes.
   */
  async function withBody(kind: string, body: (real: Uint8Array<ArrayBuffer>) => Response) {
    const net = scenario();
    const m = structuredClone(await fixture());
    const ref = m.artifacts.find((a) => a.kind === kind)!;
    const real = new Uint8Array(await (await fetch(new URL(ref.url, fixtureUrl))).arrayBuffer());
    ref.url = `${ref.url}?fresh=${crypto.randomUUID()}`;
    const signed = JSON.stringify(await resignManifest(m, signingKey));
    net.manifest = () => signed;
    net.body.set(new URL(ref.url, fixtureUrl).href, () => body(real));
    return { net, ref };
  }

  it('stops reading an artifact at its declared size, however much the server sends', async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024);
    // An endless body: a loader that read to the end would never finish.
    const { net, ref } = await withBody('model', () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            sent += chunk.length;
            c.enqueue(chunk);
          },
        }),
      ),
    );
    const err = await initError(feedOn(net));
    expect(err.name).toBe('ReleaseUnavailableError');
    expect(err.message).toContain('ReleaseIntegrityError');
    expect(err.message).toContain(`expected ${ref.bytes} bytes, got ${ref.bytes + 1}`);
    expect(sent).toBeLessThan(ref.bytes + 4 * chunk.length);
  });

  it('refuses a truncated artifact', async () => {
    const { net, ref } = await withBody('shard', (real) => new Response(real.slice(0, real.length - 100)));
    const err = await initError(feedOn(net));
    expect(err.message).toContain('ReleaseIntegrityError');
    expect(err.message).toContain(`expected ${ref.bytes} bytes, got ${ref.bytes - 100}`);
  });
});

describe('images from shards', () => {
  const item = (image: string): FeedItem => ({ id: 'x1', title: 'X', image, durationSeconds: 61 } as unknown as FeedItem);

  it('loads https and same-origin images only', () => {
    const base = location.href;
    expect(safeImageUrl('https://img.example.com/a.jpg', base)).toBe('https://img.example.com/a.jpg');
    expect(safeImageUrl('/img/a.jpg', base)).toBe(new URL('/img/a.jpg', base).href);
    expect(safeImageUrl('http://img.example.com/a.jpg', base)).toBeNull();
    expect(safeImageUrl('data:image/png;base64,AAAA', base)).toBeNull();
    expect(safeImageUrl('javascript:alert(1)', base)).toBeNull();
    expect(safeImageUrl('http://[bad', base)).toBeNull();
  });

  it('renders them without a referrer, and anything else as generated art', () => {
    const ok = renderThumb(document, item('https://img.example.com/a.jpg')).querySelector('img')!;
    expect(ok.referrerPolicy).toBe('no-referrer');
    expect(ok.src).toBe('https://img.example.com/a.jpg');
    const plain = renderThumb(document, item('http://tracker.example.com/a.jpg'));
    expect(plain.querySelector('img')).toBeNull();
    expect(plain.querySelector('svg')).not.toBeNull();
  });
});
