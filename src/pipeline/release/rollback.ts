/**
 * Makes an earlier release current again. Every release's manifest is kept as
 * releases/<id>.json and artifacts are never deleted by the writer, so a rollback is one manifest
 * switch, done like a publish (temporary file, fsync, rename) after checking that every artifact
 * it names is still there with the right size and SHA-256.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseManifest } from '../../core/release/index.ts';
import { name as nameSchema, parseWith } from '../../core/validation.ts';
import { MANIFEST_FILE, RELEASES_DIR, readVerified, replaceAtomically } from './artifact-store.ts';
import { DRIFT_FILE_SUFFIX } from './drift-baseline.ts';
import { ReleaseIntegrityError, ReleaseNotFoundError, asReleaseInputError } from './errors.ts';
import { parseManifestText } from './verify-release.ts';

/** Release ids saved in outDir/releases, sorted (the default ids sort by time). */
export async function listReleases(outDir: string): Promise<string[]> {
  const files = await readdir(join(outDir, RELEASES_DIR)).catch(() => [] as string[]);
  // releases/ also holds each release's drift baseline (<id>.drift.json), which is no release.
  return files
    .filter((f) => f.endsWith('.json') && !f.endsWith(DRIFT_FILE_SUFFIX))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export async function rollback(outDir: string, releaseId: string): Promise<ReleaseManifest> {
  // The id becomes a file name: the manifest's own name rule keeps it inside releases/.
  try {
    parseWith(nameSchema, releaseId, 'releaseId');
  } catch (e) {
    throw asReleaseInputError(e);
  }
  const file = join(outDir, RELEASES_DIR, `${releaseId}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const known = await listReleases(outDir);
    throw new ReleaseNotFoundError(
      `no release "${releaseId}" in ${outDir}; saved releases: ${known.join(', ') || '(none)'}`,
      releaseId,
      { cause: e },
    );
  }
  const manifest = parseManifestText(text, `${RELEASES_DIR}/${releaseId}.json`);
  if (manifest.releaseId !== releaseId) {
    throw new ReleaseIntegrityError(`${RELEASES_DIR}/${releaseId}.json`, 'mismatch', `it holds release "${manifest.releaseId}"`);
  }
  for (const ref of manifest.artifacts) await readVerified(outDir, ref);
  await replaceAtomically(join(outDir, MANIFEST_FILE), text, `rollback-${process.pid}`);
  return manifest;
}
