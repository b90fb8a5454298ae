export { configureOrt } from './configure-ort.ts';
export { ModelDeviceLostError } from './errors.ts';
export { createModelRunner } from './model-runner.ts';
export type { ModelRunner } from './model-runner.ts';
