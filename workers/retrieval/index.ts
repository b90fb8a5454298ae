export type { Retriever } from './types.ts';
export { createRetriever } from './create-retriever.ts';
export { chooseRetrievalBackend } from './choose-backend.ts';
export type { BackendSelection } from './choose-backend.ts';
export { detectCapabilities } from './capabilities.ts';
