export { createWasmRetriever, wasmUnavailableReason } from './wasm-retriever.ts';
export { MAX_KERNEL_DIM, scoreKernelBytes } from './score-kernel.ts';
export type { ScoreKernel } from './score-kernel.ts';
export { splitQuery } from './split-query.ts';
