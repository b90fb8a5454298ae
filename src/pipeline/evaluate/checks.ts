import { EvaluationInputError } from './errors.ts';

/** The cutoffs, checked (integers >= 1, at least one), deduplicated and ascending. */
export function checkKs(ks: readonly number[], field = 'ks'): number[] {
  if (ks.length === 0) throw new EvaluationInputError(field, 'must hold at least one cutoff');
  ks.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 1) throw new EvaluationInputError(`${field}[${i}]`, `must be an integer >= 1, got ${k}`);
  });
  return [...new Set(ks)].sort((a, b) => a - b);
}

/**
 * Runs `fn` with mask[i] = 1 at the user's seen indices and clears them after, even on a
 * throw. One catalog-sized mask reused for every user: a typed-array lookup in topK's exclude
 * instead of a Set per user, and no catalog-sized allocation per user.
 */
export function seenMask<T>(mask: Uint8Array, seen: Uint32Array, fn: () => T): T {
  for (const i of seen) mask[i] = 1;
  try {
    return fn();
  } finally {
    for (const i of seen) mask[i] = 0;
  }
}
