/**
 * status().verification: how the runtimes in use proved themselves against the release's golden
 * vectors, and every runtime passed over with why, gathered from the model runners' reports and
 * the retrieval backend choice (DESIGN: each stage reports what it used, never a guess).
 */
import type { BackendFallback, FeedVerification, RetrievalBackend } from '../../src/core/feed/index.ts';
import type { ModelRunner } from '../ranking/index.ts';
import type { BackendSelection } from '../retrieval/index.ts';

/** What status() needs of a retrieval backend choice. */
export type RetrievalCheck = Pick<BackendSelection, 'unavailable' | 'verification'>;

/** The check after `failed` broke during a search, so status() names it and why. */
export function retrievalCheckAfterFailure(next: RetrievalCheck, failed: RetrievalBackend, err: unknown): RetrievalCheck {
  const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { unavailable: { [failed]: why, ...next.unavailable }, verification: next.verification };
}

export function feedVerification(ranker: ModelRunner, userTower: ModelRunner | null, retrieval: RetrievalCheck): FeedVerification {
  const fallbacks: BackendFallback[] = [];
  for (const [stage, runner] of [['ranker', ranker], ['userTower', userTower]] as const) {
    for (const f of runner?.report.fallbacks ?? []) fallbacks.push({ stage, backend: f.provider, name: f.name, message: f.message });
  }
  for (const [backend, why] of Object.entries(retrieval.unavailable) as Array<[RetrievalBackend, string]>) {
    // Reasons are `Name: message` for errors, plain words for a missing capability.
    const m = /^([A-Z][A-Za-z]*Error): ([\s\S]*)$/.exec(why);
    fallbacks.push({ stage: 'retrieval', backend, name: m ? m[1]! : 'BackendUnavailableError', message: m ? m[2]! : why });
  }
  const runners = userTower ? [ranker, userTower] : [ranker];
  return {
    verified: runners.every((r) => r.report.verification.verified) && retrieval.verification.verified,
    ms: runners.reduce((s, r) => s + r.report.verification.ms, 0) + retrieval.verification.ms,
    fallbacks,
  };
}
