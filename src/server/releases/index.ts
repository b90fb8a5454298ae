export { ReleaseDir } from './release-dir.ts';
export type { ServedManifest } from './release-dir.ts';
