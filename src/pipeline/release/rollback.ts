/**
 * Makes an earlier release current again. Every release's manifest is kept as
 * releases/<id>.json and artifacts are never deleted by the writer, so a rollback is one manifest
 * switch, done like a publish (temporary file, fsync, rename) after checking that every artifact
 * it names is still there with the right size and SHA-256.
 *
 * Devices refuse a manifest whose sequence is below their last good one, so a rollback that
 * devices should follow is published with a signing key: the old release is signed again with a
 * sequence above the current manifest's. Without a key the saved manifest goes out as it is, and
 * devices that already run a newer release keep it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseManifest } from '../../core/release/index.ts';
import { name as nameSchema, parseWith } from '../../core/validation.ts';
import { MANIFEST_FILE, RELEASES_DIR, readVerified, replaceAtomically } from './artifact-store.ts';
import { DRIFT_FILE_SUFFIX } from './drift-baseline.ts';
import { ReleaseIntegrityError } from '../../core/release/errors.ts';
import { ReleaseNotFoundError, asReleaseInputError } from './errors.ts';
import { nextSequence, signManifest, verifyManifestSignature, type ReleaseSigningKey } from './signing.ts';
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

export async function rollback(outDir: string, releaseId: string, options: { signingKey?: ReleaseSigningKey | null } = {}): Promise<ReleaseManifest> {
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
  if (options.signingKey) {
    const signed = signManifest(JSON.parse(text) as object, options.signingKey, nextSequence(await currentSequenceOf(outDir)));
    const resigned = parseManifestText(JSON.stringify(signed), `${RELEASES_DIR}/${releaseId}.json`);
    await replaceAtomically(join(outDir, MANIFEST_FILE), `${JSON.stringify(signed, null, 2)}\n`, `rollback-${process.pid}`);
    return resigned;
  }
  await replaceAtomically(join(outDir, MANIFEST_FILE), text, `rollback-${process.pid}`);
  return manifest;
}

/**
 * Signs outDir's current manifest with `key` unless it already carries a valid signature by it
 * (then nothing changes): for a release written before signing, or signed with another key.
 * Returns whether it signed. The new sequence is above the current one, so devices take it.
 */
export async function signCurrentRelease(outDir: string, key: ReleaseSigningKey): Promise<boolean> {
  const file = join(outDir, MANIFEST_FILE);
  const text = await readFile(file, 'utf8');
  const raw = JSON.parse(text) as { sequence?: unknown };
  parseManifestText(text, MANIFEST_FILE);
  if (verifyManifestSignature(raw, key.publicKey)) return false;
  const signed = signManifest(raw, key, nextSequence(typeof raw.sequence === 'number' ? raw.sequence : undefined));
  const manifest = parseManifestText(JSON.stringify(signed), MANIFEST_FILE);
  for (const ref of manifest.artifacts) await readVerified(outDir, ref);
  await replaceAtomically(file, `${JSON.stringify(signed, null, 2)}\n`, `sign-${process.pid}`);
  return true;
}

async function currentSequenceOf(outDir: string): Promise<number | undefined> {
  try {
    const seq = (JSON.parse(await readFile(join(outDir, MANIFEST_FILE), 'utf8')) as { sequence?: unknown }).sequence;
    return typeof seq === 'number' ? seq : undefined;
  } catch {
    return undefined;
  }
}
