// After one online load the feed renders with the network cut; a bad new release (wrong hash,
// a manifest that points nowhere) leaves the last good one in use, and status() says why. The
// edited manifests are signed with the release key, as a publisher's mistake would be: what is
// tested is what happens after the signature checks out (release-signing.test.ts: unsigned ones).
import { describe, expect, inject, it } from 'vitest';
import { FeedService } from '../../workers/feed/feed-service.ts';
import { resignManifest } from '../support/sign-manifest.ts';

const release = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const offline = () => Promise.reject(new TypeError('Failed to fetch (network cut by the test)'));

// One clock for every service here, so two feeds over the same release and history compare exactly.
const NOW = Date.UTC(2025, 5, 1, 12);

async function feedWith(fetchImpl?: (url: string, init?: RequestInit) => Promise<Response>) {
  const feed = new FeedService(fetchImpl ? { fetch: fetchImpl, now: () => NOW } : { now: () => NOW });
  const status = await feed.init({ release, releaseKey, backend: 'js', rankingProviders: ['wasm'], database: `offline-${crypto.randomUUID()}` });
  return { feed, status };
}

/** Serves the real release, but the manifest edited by `edit`. */
function editedManifest(edit: (m: { releaseId: string; artifacts: { name: string; kind: string; url: string; sha256: string }[] }) => void) {
  return async (url: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(url, init);
    if (url !== release) return res;
    const m = await res.json();
    edit(m);
    return new Response(JSON.stringify(await resignManifest(m, inject('releaseSigningKey'))), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}

describe('offline and bad releases', () => {
  it('renders from the cache with the network cut, after one online load', async () => {
    const online = await feedWith();
    expect(online.status.cached).toBe(false);
    const before = await online.feed.next({ count: 10 });
    expect(before).toHaveLength(10);

    const cut = await feedWith(offline);
    expect(cut.status.cached).toBe(true);
    expect(cut.status.releaseId).toBe(online.status.releaseId);
    expect(cut.status.releaseProblem?.name).toBe('ReleaseFetchError');
    const after = await cut.feed.next({ count: 10 });
    expect(after.map((x) => x.id)).toEqual(before.map((x) => x.id));
  });

  it('keeps the last good release when a new one has a wrong hash', async () => {
    const good = await feedWith();
    const { feed, status } = await feedWith(
      editedManifest((m) => {
        m.releaseId = 'r-tampered';
        const ranker = m.artifacts.find((a) => a.kind === 'model')!;
        ranker.sha256 = ranker.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      }),
    );
    expect(status.releaseId).toBe(good.status.releaseId);
    expect(status.releaseProblem?.name).toBe('ReleaseIntegrityError');
    expect(await feed.next({ count: 10 })).toHaveLength(10);
  });

  it('keeps the last good release when the manifest points nowhere', async () => {
    const good = await feedWith();
    const { feed, status } = await feedWith(
      editedManifest((m) => {
        m.releaseId = 'r-nowhere';
        const head = m.artifacts.find((a) => a.kind === 'shard')!;
        head.url = 'artifacts/does-not-exist.bin';
      }),
    );
    expect(status.releaseId).toBe(good.status.releaseId);
    expect(status.releaseProblem?.name).toMatch(/Release(Fetch|Integrity)Error/);
    expect(await feed.next({ count: 10 })).toHaveLength(10);
  });
});
