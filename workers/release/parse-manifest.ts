import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import { ReleaseManifestError } from './errors.ts';

/** parseManifest, with its ValidationError wrapped so a caller sees which URL was wrong. */
export function parseManifestAt(url: string, json: unknown): ReleaseManifest {
  try {
    return parseManifest(json);
  } catch (err) {
    throw new ReleaseManifestError(url, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
