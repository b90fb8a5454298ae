/**
 * Backend name -> factory, as data (STYLE.md rule 4): adding a backend is one entry here, and a
 * name that is not in RETRIEVAL_BACKENDS fails with the allowed ones.
 */
import { RETRIEVAL_BACKENDS, type RetrievalBackend } from '../../src/core/feed/index.ts';
import type { Shard } from '../../src/core/shard/index.ts';
import { UnknownBackendError } from './errors.ts';
import { createJsRetriever } from './js/index.ts';
import type { Retriever } from './types.ts';
import { createWasmRetriever } from './wasm/index.ts';
import { createWebGpuRetriever } from './webgpu/index.ts';

export const RETRIEVER_FACTORIES: Readonly<Record<RetrievalBackend, (shards: readonly Shard[]) => Promise<Retriever>>> =
  Object.freeze({
    webgpu: createWebGpuRetriever,
    wasm: createWasmRetriever,
    js: createJsRetriever,
  });

/** Checks a backend name from the caller; UnknownBackendError lists the allowed ones. */
export function parseRetrievalBackend(value: unknown, field = 'backend'): RetrievalBackend {
  if (!(RETRIEVAL_BACKENDS as readonly unknown[]).includes(value)) throw new UnknownBackendError(field, value, RETRIEVAL_BACKENDS);
  return value as RetrievalBackend;
}

/**
 * A retriever of `backend` over `shards` (shards of one release: same dim). Rejects with
 * BackendUnavailableError when the backend cannot run here, naming why.
 */
export async function createRetriever(backend: RetrievalBackend, shards: readonly Shard[]): Promise<Retriever> {
  return RETRIEVER_FACTORIES[parseRetrievalBackend(backend)](shards);
}
