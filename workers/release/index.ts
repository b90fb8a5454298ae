export { createReleaseStore } from './store.ts';
export type { LoadedRelease } from './types.ts';
export type { ReleaseFetch } from './network.ts';
