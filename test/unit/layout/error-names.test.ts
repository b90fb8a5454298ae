// The error contract a page branches on: OndeckErrorName (exported by the client) names every
// error class that code running in the page or the worker defines, and nothing else.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The client re-exports it (src/client/index.ts); imported from its file so Node's tsconfig needs no DOM.
import type { OndeckErrorName } from '../../../src/core/errors.ts';

// tsc checks that this record has exactly the union's names (a missing or an extra key fails
// `npm run typecheck`); the test checks the union against the sources.
const UNION: Record<OndeckErrorName, true> = {
  OndeckError: true,
  ValidationError: true,
  ProtobufError: true,
  ReleaseIntegrityError: true,
  ShardFormatError: true,
  ShardHostError: true,
  ShardInputError: true,
  ShardLookupError: true,
  ShardVersionError: true,
  SingleClassError: true,
  FeedNotReadyError: true,
  HistoryQuotaError: true,
  HistoryVersionError: true,
  GoldenMismatchError: true,
  JsOpError: true,
  OnnxReadError: true,
  ModelDeviceLostError: true,
  ModelGpuError: true,
  ModelRunError: true,
  ModelSessionError: true,
  OrtConfigError: true,
  WasmBlockedError: true,
  BodyTooLargeError: true,
  ReleaseFetchError: true,
  ReleaseLookupError: true,
  ReleaseManifestError: true,
  ReleaseRollbackError: true,
  ReleaseSignatureError: true,
  ReleaseStorageError: true,
  ReleaseUnavailableError: true,
  BackendUnavailableError: true,
  RetrievalError: true,
  RetrievalGoldenMismatchError: true,
  UnknownBackendError: true,
  SyncAuthError: true,
  SyncError: true,
  SyncHttpError: true,
  SyncNetworkError: true,
  SyncOfflineError: true,
  SyncRejectedError: true,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** `override name = 'X'` of every error class under `dirs`, with the file that defines it. */
function definedNames(dirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of dirs.flatMap(files)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\boverride (?:readonly )?name = '([A-Za-z]+)'/g)) {
      if (out.has(m[1]!)) throw new Error(`two error classes named ${m[1]}: ${out.get(m[1]!)} and ${file}`);
      out.set(m[1]!, file);
    }
  }
  return out;
}

describe('OndeckErrorName', () => {
  it('is exactly the names of the error classes in src/core, src/client and workers', () => {
    const defined = definedNames(['src/core', 'src/client', 'workers']);
    expect(defined.size).toBeGreaterThan(30);
    expect([...defined.keys()].sort()).toEqual(Object.keys(UNION).sort());
  });

  it('has one class per error name in src/ and workers/ (no two classes of one name)', () => {
    const where = new Map<string, string[]>();
    for (const file of ['src', 'workers'].flatMap(files)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bclass (\w+Error)\b/g)) where.set(m[1]!, [...(where.get(m[1]!) ?? []), file]);
    }
    expect(where.size).toBeGreaterThan(50);
    expect([...where].filter(([, at]) => at.length > 1)).toEqual([]);
    expect(where.get('ReleaseIntegrityError')).toEqual([join('src', 'core', 'release', 'errors.ts')]);
    expect(where.get('ReleaseUnavailableError')).toEqual([join('workers', 'release', 'errors.ts')]);
  });
});
