export { runBuild } from './build.ts';
export type { BuildResult } from './build.ts';
export { BUILD_DEFAULTS } from './defaults.ts';
export { BUILD_USAGE, BuildOptionError, DATASETS, parseBuildArgs } from './options.ts';
export type { BuildOptions, DatasetName } from './options.ts';
