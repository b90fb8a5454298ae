export { createWebGpuRetriever } from './webgpu-retriever.ts';
export { webgpuUnavailableReason } from './probe.ts';
