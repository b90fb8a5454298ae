/**
 * Files of a release folder and how they are written. Layout:
 *
 *   <outDir>/manifest.json              the current release (the only file that is ever replaced)
 *   <outDir>/releases/<releaseId>.json  every release's manifest, kept for rollback
 *   <outDir>/artifacts/<sha256>.<ext>   content-addressed, immutable artifacts
 *
 * Every file is written whole and fsynced under a temporary name, then renamed into place: a
 * rename within one file system is atomic, so a reader (the server, a CDN sync) sees the old
 * file or the new one, never half of one, and a crash leaves the previous release current.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ArtifactRef } from '../../core/release/index.ts';
import { ReleaseIntegrityError } from '../../core/release/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const RELEASES_DIR = 'releases';
export const ARTIFACTS_DIR = 'artifacts';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The URL (relative to the manifest) and path (relative to the release folder) of an artifact. */
export function artifactPath(sha256: string, ext: string): string {
  return `${ARTIFACTS_DIR}/${sha256}.${ext}`;
}

/** Writes `bytes` to `path` and fsyncs it, so a later rename publishes data that is on disk. */
export async function writeDurable(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a directory so the renames in it survive a crash; a no-op where directories cannot be opened (Windows). */
export async function syncDir(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the renames are still atomic there.
  } finally {
    await fh.close();
  }
}

/** Writes `bytes` to `path` atomically: a temporary file next to it, fsync, rename, fsync of the folder. */
export async function replaceAtomically(path: string, bytes: Uint8Array | string, tag: string): Promise<void> {
  const tmp = `${path}.${tag}.tmp`;
  await writeDurable(tmp, bytes);
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** True when `path` exists with exactly these bytes' size and hash (an artifact that can be reused). */
export async function holdsBytes(path: string, size: number, sha256: string): Promise<boolean> {
  try {
    const s = await stat(path);
    if (!s.isFile() || s.size !== size) return false;
    return sha256Hex(await readFile(path)) === sha256;
  } catch {
    return false;
  }
}

/**
 * Where a relative artifact URL lives under `outDir`. Absolute http(s) URLs (artifacts on a CDN)
 * and relative ones that climb out of the folder cannot be checked locally.
 */
export function localArtifactPath(outDir: string, ref: ArtifactRef): string {
  const root = resolve(outDir);
  const path = resolve(root, ref.url.split('?')[0]!.split('#')[0]!);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ref.url) || ref.url.startsWith('/') || !path.startsWith(root + sep)) {
    throw new ReleaseIntegrityError(ref.name, 'unsupported-url', `"${ref.url}" is not a path inside the release folder`);
  }
  return path;
}

/** Reads an artifact and checks its size and SHA-256 against the manifest; ReleaseIntegrityError names it. */
export async function readVerified(outDir: string, ref: ArtifactRef): Promise<Uint8Array> {
  const path = localArtifactPath(outDir, ref);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ReleaseIntegrityError(ref.name, 'missing', `cannot read ${join(outDir, ref.url)}`, { cause: e });
  }
  if (bytes.length !== ref.bytes) {
    throw new ReleaseIntegrityError(ref.name, 'size', `${bytes.length} bytes on disk, the manifest says ${ref.bytes}`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== ref.sha256) {
    throw new ReleaseIntegrityError(ref.name, 'sha256', `SHA-256 ${actual} on disk, the manifest says ${ref.sha256}`);
  }
  return bytes;
}
