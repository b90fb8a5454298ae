/**
 * The release folder written by the pipeline (src/pipeline/release/artifact-store.ts):
 *
 *   manifest.json               the current release (replaced atomically on publish/rollback)
 *   releases/<releaseId>.json   every release's manifest
 *   artifacts/<sha256>.<ext>    content-addressed, immutable artifacts
 *
 * Manifests are served with their artifact URLs rewritten from `artifacts/<sha>.<ext>` (relative
 * to the manifest file) to `/v1/artifacts/<sha>.<ext>` on this server: the device resolves them
 * against the manifest URL (`/v1/releases/latest`), where the folder-relative form would not
 * resolve. Absolute http(s) URLs (artifacts on a CDN) are served unchanged. The served manifest
 * is checked with parseManifest, so a device never gets one it would refuse.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseManifest } from '../../core/release/index.ts';
import { NotFoundError, ReleaseUnavailableHttpError } from '../errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const RELEASES_DIR = 'releases';
export const ARTIFACTS_DIR = 'artifacts';
/** The pipeline's release id rule (src/core/validation.ts `name`). */
export const RELEASE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const LOCAL_ARTIFACT_URL = /^(?:\.\/)?artifacts\/([0-9a-f]{64}(?:\.[A-Za-z0-9]{1,16})?)$/;

export interface ServedManifest {
  releaseId: string;
  created: string;
  /** The JSON text served (URLs rewritten). */
  body: string;
  /** Strong ETag of `body`, quoted. */
  etag: string;
}

export interface ReleaseListing {
  releaseId: string;
  created: string;
  current: boolean;
}

/** Rewrites folder-relative artifact URLs to this server's artifact route, then validates. */
export function serveManifest(raw: unknown, source: string): ServedManifest {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { artifacts?: unknown }).artifacts)) {
    throw new ReleaseUnavailableHttpError(500, `${source} is not a release manifest (no artifacts list)`);
  }
  const m = raw as { artifacts: Array<Record<string, unknown>> };
  const artifacts = m.artifacts.map((a) => {
    const match = typeof a.url === 'string' ? LOCAL_ARTIFACT_URL.exec(a.url) : null;
    return match ? { ...a, url: `/v1/artifacts/${match[1]}` } : a;
  });
  const served = { ...m, artifacts };
  let parsed;
  try {
    parsed = parseManifest(served);
  } catch (cause) {
    throw new ReleaseUnavailableHttpError(500, `${source} is not a valid release manifest: ${(cause as Error).message}`, { cause });
  }
  const body = `${JSON.stringify(served)}\n`;
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  return { releaseId: parsed.releaseId, created: parsed.created, body, etag };
}

export class ReleaseDir {
  readonly root: string;
  #latestCache: { key: string; served: ServedManifest } | null = null;
  readonly #byIdCache = new Map<string, ServedManifest>();
  #artifactNames: Map<string, string> | null = null;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The current release; re-read only when manifest.json changed (size, mtime or inode). */
  async latest(): Promise<ServedManifest> {
    const file = join(this.root, MANIFEST_FILE);
    const s = await stat(file).catch(() => null);
    if (!s) throw new ReleaseUnavailableHttpError(404, `no release published yet: the release folder has no ${MANIFEST_FILE} (run \`ondeck build\`)`);
    const key = `${s.ino}:${s.size}:${s.mtimeMs}`;
    if (this.#latestCache?.key === key) return this.#latestCache.served;
    const served = serveManifest(await readJson(file, MANIFEST_FILE), MANIFEST_FILE);
    this.#latestCache = { key, served };
    return served;
  }

  /** A release by id (releases/<id>.json); fixed once written, so cached for good. */
  async byId(releaseId: string): Promise<ServedManifest> {
    if (!RELEASE_ID_PATTERN.test(releaseId)) throw new NotFoundError(`no release "${releaseId.slice(0, 140)}": release ids are 1-128 of A-Z a-z 0-9 . _ : -`);
    const cached = this.#byIdCache.get(releaseId);
    if (cached) return cached;
    const file = join(this.root, RELEASES_DIR, `${releaseId}.json`);
    const raw = await readJson(file, `${RELEASES_DIR}/${releaseId}.json`).catch((cause: unknown) => {
      if (cause instanceof ReleaseUnavailableHttpError) throw cause;
      throw new NotFoundError(`no release "${releaseId}" in this server's release folder`);
    });
    // releases/ also holds other files per release (e.g. <id>.drift.json, the drift baseline).
    if ((raw as { format?: unknown } | null)?.format !== 'ondeck-release') throw new NotFoundError(`no release "${releaseId}" in this server's release folder`);
    const served = serveManifest(raw, `${RELEASES_DIR}/${releaseId}.json`);
    if (served.releaseId !== releaseId) throw new ReleaseUnavailableHttpError(500, `${RELEASES_DIR}/${releaseId}.json holds release "${served.releaseId}"`);
    if (this.#byIdCache.size > 256) this.#byIdCache.clear();
    this.#byIdCache.set(releaseId, served);
    return served;
  }

  /**
   * The file of an artifact: `<sha>.<ext>` as named, or `<sha>` alone (any extension). Callers
   * pass only names that matched the SHA-256 pattern, so nothing here can leave artifacts/.
   */
  async artifactFile(sha256: string, ext: string | undefined): Promise<{ path: string; size: number; ext: string } | null> {
    let name: string | undefined = ext === undefined ? undefined : `${sha256}.${ext}`;
    if (name === undefined) {
      name = (await this.#names(false)).get(sha256) ?? (await this.#names(true)).get(sha256);
      if (name === undefined) return null;
    }
    const path = join(this.root, ARTIFACTS_DIR, name);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) return null;
    return { path, size: s.size, ext: name.slice(sha256.length + 1) };
  }

  async #names(refresh: boolean): Promise<Map<string, string>> {
    if (this.#artifactNames && !refresh) return this.#artifactNames;
    const files = await readdir(join(this.root, ARTIFACTS_DIR)).catch(() => [] as string[]);
    this.#artifactNames = new Map(files.filter((f) => /^[0-9a-f]{64}(\.|$)/.test(f)).map((f) => [f.slice(0, 64), f]));
    return this.#artifactNames;
  }

  /** Releases of the folder, newest first; `current` marks the one manifest.json names. */
  async list(): Promise<ReleaseListing[]> {
    const current = await this.latest().then((m) => m.releaseId, () => null);
    const files = await readdir(join(this.root, RELEASES_DIR)).catch(() => [] as string[]);
    const out: ReleaseListing[] = [];
    for (const f of files) {
      if (!f.endsWith('.json') || f.endsWith('.drift.json')) continue;
      const m = await this.byId(f.slice(0, -5)).catch(() => null);
      if (m) out.push({ releaseId: m.releaseId, created: m.created, current: m.releaseId === current });
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.releaseId < b.releaseId ? 1 : -1));
  }
}

/** `label` (relative to the release folder) names the file in errors: clients never see server paths. */
async function readJson(file: string, label: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ReleaseUnavailableHttpError(500, `${label} is not valid JSON`, { cause });
  }
}
