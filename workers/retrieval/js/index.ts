export { createJsRetriever } from './js-retriever.ts';
