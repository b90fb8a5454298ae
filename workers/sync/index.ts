export { createSync } from './create-sync.ts';
export type { Sync } from './start-sync.ts';
