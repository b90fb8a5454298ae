/**
 * The last good release record: the manifest in use and the one before it, kept as one cache
 * entry so replacing it is atomic. The previous release is kept so a rollback, or a damaged
 * current release, still has something intact to fall back to; it also says which artifacts
 * pruning must keep.
 */
import type { ReleaseManifest } from '../../src/core/release/index.ts';
import { artifactUrl } from './artifacts.ts';
import { RECORD_VERSION } from './defaults.ts';
import { parseManifestAt } from './parse-manifest.ts';

export interface RecordedRelease {
  manifest: ReleaseManifest;
  /** The manifest JSON as served; re-parsed on every read, as the cache may be tampered with. */
  text: string;
}

export interface ReleaseRecord {
  current: RecordedRelease | null;
  previous: RecordedRelease | null;
}

export const EMPTY_RECORD: ReleaseRecord = Object.freeze({ current: null, previous: null });

/** Reads a record's text; any part that is missing or invalid reads as null, never throws. */
export function decodeRecord(text: string | null, manifestUrl: string): ReleaseRecord {
  if (text === null) return EMPTY_RECORD;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return EMPTY_RECORD;
  }
  if (!isObject(json) || json.version !== RECORD_VERSION) return EMPTY_RECORD;
  return { current: decodeRelease(json.current, manifestUrl), previous: decodeRelease(json.previous, manifestUrl) };
}

export function encodeRecord(record: ReleaseRecord): string {
  return JSON.stringify({ version: RECORD_VERSION, current: record.current?.text ?? null, previous: record.previous?.text ?? null });
}

/**
 * The record after `next` has been stored. Storing the release already current again (the same
 * release id) must not push the real previous release out.
 */
export function advanceRecord(record: ReleaseRecord, next: RecordedRelease): ReleaseRecord {
  const same = record.current?.manifest.releaseId === next.manifest.releaseId;
  return { current: next, previous: same ? record.previous : record.current };
}

/** The releases of a record to try, newest first. */
export function recordedReleases(record: ReleaseRecord): RecordedRelease[] {
  return [record.current, record.previous].filter((r): r is RecordedRelease => r !== null);
}

/** Absolute URLs of every artifact (required or lazy) of the recorded releases. */
export function recordedUrls(record: ReleaseRecord, manifestUrl: string): Set<string> {
  const urls = new Set<string>();
  for (const r of recordedReleases(record)) for (const a of r.manifest.artifacts) urls.add(artifactUrl(manifestUrl, a));
  return urls;
}

function decodeRelease(text: unknown, manifestUrl: string): RecordedRelease | null {
  if (typeof text !== 'string') return null;
  try {
    return { manifest: parseManifestAt(manifestUrl, JSON.parse(text)), text };
  } catch {
    return null;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
