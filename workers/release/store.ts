/**
 * The release store: loads the newest release when it is complete and verified, else the last
 * good one from Cache Storage, and says why in `problem`. Works in a window, a dedicated worker
 * and a service worker: it uses only fetch, Cache Storage and WebCrypto through globalThis, and
 * only once load() runs.
 *
 * A manifest is used only after its signature checks out against the pinned release key (the
 * copy in Cache Storage too), and only if it is not older than the last good release.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { ReleaseManifest } from '../../src/core/release/index.ts';
import { createArtifactSource, type ArtifactSource } from './artifact-source.ts';
import { requiredArtifacts } from './artifacts.ts';
import { DEFAULT_CACHE_NAME } from './defaults.ts';
import { ReleaseRollbackError, ReleaseStorageError, ReleaseUnavailableError } from './errors.ts';
import { createLoadedRelease } from './loaded-release.ts';
import { fetchManifestJson, type FetchedManifest, type ReleaseFetch } from './network.ts';
import { openReleaseCache, type ReleaseCache } from './release-cache.ts';
import { advanceRecord, decodeRecord, encodeRecord, recordedReleases, recordedUrls, type ReleaseRecord } from './release-record.ts';
import { createManifestVerifier, type ManifestVerifier, type VerifiedManifest } from './signature.ts';
import type { LoadedRelease, ReleaseProblem, ReleaseStore, ReleaseStoreOptions } from './types.ts';

export function createReleaseStore(options: ReleaseStoreOptions): ReleaseStore {
  const manifestUrl = absoluteManifestUrl(options.manifestUrl);
  // Bound late, not captured: a page may patch fetch after the store is made.
  const fetch: ReleaseFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const cache = openReleaseCache(options.cacheName ?? DEFAULT_CACHE_NAME, manifestUrl);
  const artifacts = createArtifactSource({ cache, fetch, manifestUrl });
  // Checked here, synchronously: a missing or malformed key fails createReleaseStore, not a load.
  const verifier = createManifestVerifier(options);

  async function fromNetwork(): Promise<LoadedRelease> {
    const { json, text } = await fetchManifestJson(fetch, manifestUrl);
    const checked = await verifier.verify(manifestUrl, json);
    const fetched: FetchedManifest = { manifest: checked.manifest, text };
    await refuseRollback(checked.manifest, decodeRecord(await cache.readRecord(), manifestUrl), verifier, manifestUrl);
    const { verified, storeError } = await obtainRequired(artifacts, fetched.manifest);
    // The release is verified and usable now; it becomes the last good one only once every
    // required artifact is stored too, so an offline start can always rebuild it.
    let problem: ReleaseStorageError | null = storeError;
    if (!problem) {
      try {
        await remember(cache, manifestUrl, fetched);
      } catch (err) {
        if (!(err instanceof ReleaseStorageError)) throw err;
        problem = err;
      }
    }
    return createLoadedRelease({ manifest: fetched.manifest, signed: checked.signed, source: 'network', problem: problem && problemOf(problem), artifacts, verified });
  }

  async function fromCache(networkError: unknown): Promise<LoadedRelease> {
    const record = decodeRecord(await cache.readRecord(), manifestUrl);
    const failures: string[] = [];
    // The previous release too: if the current one's cached bytes are damaged, an intact older
    // feed beats no feed.
    for (const recorded of recordedReleases(record)) {
      try {
        const checked = await verifier.verify(manifestUrl, JSON.parse(recorded.text));
        const { verified } = await obtainRequired(artifacts, checked.manifest);
        return createLoadedRelease({ manifest: checked.manifest, signed: checked.signed, source: 'cache', problem: problemOf(networkError), artifacts, verified });
      } catch (err) {
        failures.push(`${recorded.manifest.releaseId}: ${describe(err)}`);
      }
    }
    const cached = failures.length ? `the cached releases are unusable (${failures.join('; ')})` : 'no last good release is cached';
    throw new ReleaseUnavailableError(`no release of ${manifestUrl} can be used: the newest failed (${describe(networkError)}) and ${cached}`, {
      cause: networkError,
    });
  }

  return Object.freeze({
    manifestUrl,
    async load(): Promise<LoadedRelease> {
      try {
        return await fromNetwork();
      } catch (err) {
        return fromCache(err);
      }
    },
  });
}

/**
 * Verified bytes of every artifact a feed needs up front. All are tried, and the first failure
 * in manifest order is thrown, so the same broken release always reports the same problem.
 */
async function obtainRequired(
  artifacts: ArtifactSource,
  manifest: ReleaseManifest,
): Promise<{ verified: Map<string, ArrayBuffer>; storeError: ReleaseStorageError | null }> {
  const refs = requiredArtifacts(manifest);
  const settled = await Promise.allSettled(refs.map((ref) => artifacts.obtain(ref)));
  const verified = new Map<string, ArrayBuffer>();
  let storeError: ReleaseStorageError | null = null;
  for (const [i, s] of settled.entries()) {
    if (s.status === 'rejected') throw s.reason;
    verified.set(refs[i]!.name, s.value.bytes);
    storeError ??= s.value.storeError;
  }
  return { verified, storeError };
}

/**
 * Throws ReleaseRollbackError when `next` is older than the last good release: a lower sequence
 * (both signed), else an earlier `created`. The last good record counts only if it verifies: a
 * damaged record must not lock the device out of new releases.
 */
async function refuseRollback(next: ReleaseManifest, record: ReleaseRecord, verifier: ManifestVerifier, manifestUrl: string): Promise<void> {
  if (!record.current) return;
  let last: VerifiedManifest;
  try {
    last = await verifier.verify(manifestUrl, JSON.parse(record.current.text));
  } catch {
    return;
  }
  const a = next;
  const b = last.manifest;
  const bySequence = a.sequence !== undefined && b.sequence !== undefined;
  const older = bySequence ? a.sequence! < b.sequence! : Date.parse(a.created) < Date.parse(b.created);
  if (!older) return;
  const order = (m: ReleaseManifest) => (bySequence ? `sequence ${m.sequence}` : `created ${m.created}`);
  throw new ReleaseRollbackError({ releaseId: a.releaseId, order: order(a), lastGood: b.releaseId, lastGoodOrder: order(b) });
}

/** Records `fetched` as the last good release, then prunes what neither it nor the previous one uses. */
async function remember(cache: ReleaseCache, manifestUrl: string, fetched: FetchedManifest): Promise<void> {
  const record = advanceRecord(decodeRecord(await cache.readRecord(), manifestUrl), fetched);
  await cache.writeRecord(encodeRecord(record));
  // Housekeeping: a failed prune costs space, never the release.
  await cache.prune(recordedUrls(record, manifestUrl)).catch(() => []);
}

function absoluteManifestUrl(url: string): string {
  try {
    // `location` exists in windows and workers alike; it is read here, never at module load.
    return new URL(url, globalThis.location?.href).href;
  } catch (err) {
    throw new ValidationError('manifestUrl', `"${url}" is not a URL (nor relative to this page's location)`, { cause: err });
  }
}

function problemOf(err: unknown): ReleaseProblem {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

function describe(err: unknown): string {
  const p = problemOf(err);
  return `${p.name}: ${p.message}`;
}
