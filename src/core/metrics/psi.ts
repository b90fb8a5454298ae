import { ValidationError } from '../errors.ts';

/**
 * Share given to an empty bin before the logarithm: PSI is infinite when one side has a bin the
 * other lacks, and one unseen category would otherwise swamp every other figure. 1e-4 is the
 * customary choice; it still makes a bin that went from 0 to 10% contribute about 0.69.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index between an expected (training) and an actual (recent) distribution
 * over the same bins: Σ (a − e) · ln(a / e), with each share floored at `epsilon`. Both vectors
 * are shares (non-negative; they are normalised here, so counts work too). 0 means identical;
 * the usual reading is < 0.1 stable, < 0.25 a shift, above that drift.
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length) {
    throw new ValidationError('actual', `has ${actual.length} bins, expected has ${expected.length}; both must share the bins`);
  }
  if (!(epsilon > 0 && epsilon < 1)) throw new ValidationError('epsilon', `must be in (0, 1), got ${epsilon}`);
  const e = normalise(expected, 'expected');
  const a = normalise(actual, 'actual');
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i]!, epsilon);
    const ai = Math.max(a[i]!, epsilon);
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

/** The usual thresholds of psi(): below 0.1 stable, below 0.25 a shift, else drift. */
export function psiStatus(value: number): 'stable' | 'shift' | 'drift' {
  return value < 0.1 ? 'stable' : value < 0.25 ? 'shift' : 'drift';
}

function normalise(v: ArrayLike<number>, field: string): Float64Array {
  let total = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x) || x < 0) throw new ValidationError(`${field}[${i}]`, `must be a finite share >= 0, got ${x}`);
    total += x;
  }
  if (!(total > 0)) throw new ValidationError(field, 'is empty: its shares sum to 0');
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / total;
  return out;
}
