export { createWasmRetriever } from './wasm-retriever.ts';
export { scoreKernelBytes } from './score-kernel.ts';
