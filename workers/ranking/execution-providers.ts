/**
 * Ranking provider -> onnxruntime-web execution provider, as data (transformers.js keeps the same
 * map): adding a provider is one entry here, and an unknown name fails with the allowed ones.
 */
import type { InferenceSession } from 'onnxruntime-web';
import { ValidationError } from '../../src/core/errors.ts';
import { RANKING_PROVIDERS, type RankingProvider } from '../../src/core/feed/index.ts';

/** onnxruntime-web's providers; 'js' runs without onnxruntime (js/js-session.ts). */
export const EXECUTION_PROVIDERS: Readonly<Record<Exclude<RankingProvider, 'js'>, InferenceSession.ExecutionProviderConfig>> = Object.freeze({
  webgpu: 'webgpu',
  wasm: 'wasm',
});

/** Checks a provider list from the caller: non-empty, known names, no repeats. */
export function parseProviders(providers: readonly unknown[], field = 'providers'): RankingProvider[] {
  if (providers.length === 0) throw new ValidationError(field, `must name at least one of ${RANKING_PROVIDERS.join(', ')}`);
  const out: RankingProvider[] = [];
  providers.forEach((p, i) => {
    if (!(RANKING_PROVIDERS as readonly unknown[]).includes(p)) {
      throw new ValidationError(`${field}[${i}]`, `unknown provider ${JSON.stringify(p)}; allowed: ${RANKING_PROVIDERS.join(', ')}`);
    }
    if (out.includes(p as RankingProvider)) throw new ValidationError(`${field}[${i}]`, `"${String(p)}" is listed twice`);
    out.push(p as RankingProvider);
  });
  return out;
}
