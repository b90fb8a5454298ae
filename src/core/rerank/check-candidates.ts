import { ValidationError } from '../errors.ts';
import type { RerankCandidate } from './types.ts';

/**
 * Checks every candidate and returns the shared embedding length. A NaN score or vector value
 * would not fail loudly later: it would lose every comparison and quietly vanish from the feed,
 * or poison every cosine it enters. So bad numbers throw here, naming the candidate and field
 * (`candidates[3].score`). One pass over the vectors: O(candidates × dim), a few µs for 500 × 64.
 */
export function checkCandidates(candidates: readonly RerankCandidate[]): number {
  if (!Array.isArray(candidates)) throw new ValidationError('candidates', 'must be an array');
  let dim = -1;
  for (let i = 0; i < candidates.length; i++) {
    const c: unknown = candidates[i];
    const at = `candidates[${i}]`;
    if (typeof c !== 'object' || c === null) throw new ValidationError(at, 'must be an object');
    const { id, score, pClick, watchFraction, embedding, categories, created, popularity, source } = c as RerankCandidate;
    if (typeof id !== 'string') throw new ValidationError(`${at}.id`, `must be a string, got ${typeof id}`);
    if (!isFinite(score) || score < 0) throw new ValidationError(`${at}.score`, `must be a finite number ≥ 0, got ${String(score)}`);
    if (!isFinite(pClick) || pClick < 0 || pClick > 1) {
      throw new ValidationError(`${at}.pClick`, `must be in [0, 1], got ${String(pClick)}`);
    }
    if (watchFraction !== null && (!isFinite(watchFraction) || watchFraction < 0)) {
      throw new ValidationError(`${at}.watchFraction`, `must be null or a finite number ≥ 0, got ${String(watchFraction)}`);
    }
    if (!(embedding instanceof Float32Array)) throw new ValidationError(`${at}.embedding`, 'must be a Float32Array');
    if (dim < 0) {
      if (embedding.length === 0) throw new ValidationError(`${at}.embedding`, 'must not be empty');
      dim = embedding.length;
    } else if (embedding.length !== dim) {
      throw new ValidationError(`${at}.embedding`, `has length ${embedding.length}; candidates[0] has ${dim}`);
    }
    for (let k = 0; k < dim; k++) {
      if (!Number.isFinite(embedding[k]!)) throw new ValidationError(`${at}.embedding[${k}]`, `must be finite, got ${embedding[k]}`);
    }
    if (!Array.isArray(categories)) throw new ValidationError(`${at}.categories`, 'must be an array of strings');
    for (let k = 0; k < categories.length; k++) {
      if (typeof categories[k] !== 'string') throw new ValidationError(`${at}.categories[${k}]`, 'must be a string');
    }
    if (created !== undefined && !isFinite(created)) {
      throw new ValidationError(`${at}.created`, `must be absent or a finite time in ms, got ${String(created)}`);
    }
    if (!isFinite(popularity)) throw new ValidationError(`${at}.popularity`, `must be a finite number, got ${String(popularity)}`);
    if (source !== 'retrieval' && source !== 'head') {
      throw new ValidationError(`${at}.source`, `must be 'retrieval' or 'head', got ${String(source)}`);
    }
  }
  return dim < 0 ? 0 : dim;
}

function isFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
