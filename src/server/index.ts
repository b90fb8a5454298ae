export { startServer } from './start-server.ts';
export type { RunningServer } from './start-server.ts';
export { openStore } from './store/index.ts';
export type { FeatureStore } from './store/index.ts';
