export { ARTIFACTS_DIR, MANIFEST_FILE, RELEASES_DIR, RELEASE_ID_PATTERN, ReleaseDir, serveManifest } from './release-dir.ts';
export type { ReleaseListing, ServedManifest } from './release-dir.ts';
