/**
 * A retrieval backend proves itself before it serves: its top k for the release's golden query
 * over the head shard must be the pipeline's (src/core/release checkGoldenTopK: scores within
 * 1e-4, ids equal but for ties). A GPU kernel that reads the wrong rows, or a buffer never
 * written, fails here instead of feeding the ranker the wrong candidates.
 */
import { checkGoldenTopK, type GoldenCheck, type RetrievalGolden } from '../../src/core/release/index.ts';
import { HEAD_CLUSTER } from '../../src/core/release/index.ts';
import type { Shard } from '../../src/core/shard/index.ts';
import type { RetrievalBackend } from '../../src/core/feed/index.ts';
import { RETRIEVER_FACTORIES } from './create-retriever.ts';
import { RetrievalGoldenMismatchError } from './errors.ts';
import type { Retriever } from './types.ts';

/**
 * Checks `retriever` (of `backend`, over `shards`) against `golden`. When `shards` is more than
 * the head shard alone, a head-only retriever of the same backend is built for the check.
 * Resolves null when there is no head shard to check on; throws RetrievalGoldenMismatchError.
 */
export async function verifyRetrieval(backend: RetrievalBackend, retriever: Retriever, shards: readonly Shard[], golden: RetrievalGolden): Promise<GoldenCheck | null> {
  const head = shards.find((s) => s.cluster === HEAD_CLUSTER);
  if (!head) return null;
  const own = shards.length === 1 ? null : await RETRIEVER_FACTORIES[backend]([head]);
  try {
    const k = Math.min(golden.ids.length, head.count);
    const found = await (own ?? retriever).search(Float32Array.from(golden.query), k);
    const ids = Array.from(found.item, (i) => String(head.id(i)));
    const check = checkGoldenTopK(golden, { ids, scores: found.score });
    if (!check.ok) throw new RetrievalGoldenMismatchError(`retrieval backend "${backend}" does not reproduce the release's golden top ${golden.ids.length}: ${check.problem}`);
    return check;
  } finally {
    own?.dispose();
  }
}
