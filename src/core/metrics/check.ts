import { ValidationError } from '../errors.ts';

/** Checks a rank cutoff: metrics at k are defined for k >= 1 only. */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError('k', `must be an integer >= 1, got ${k}`);
}

export function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, aName: string, bName: string): void {
  if (a.length !== b.length) {
    throw new ValidationError(`${bName}.length`, `must equal ${aName}.length (${a.length}), got ${b.length}`);
  }
}
