export { createWebGpuRetriever } from './webgpu-retriever.ts';
export { webgpuUnavailableReason } from './probe.ts';
export type { WebGpuRetrieverOptions } from './webgpu-retriever.ts';
