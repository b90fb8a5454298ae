/**
 * A small seeded PRNG (mulberry32) and the samplers the synthetic generator needs. Math.random
 * cannot be seeded, and the generator must give the same dataset for the same seed on every
 * machine; mulberry32 passes the usual statistical tests at this scale and is a few lines.
 */
import { mulberry32 } from '../../core/random.ts';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** exp(N(mu, sigma²)). */
  logNormal(mu: number, sigma: number): number;
}

export function createRng(seed: number): Rng {
  // Scramble the seed first (splitmix32 step) so seeds 1, 2, 3 start far apart.
  const next = mulberry32(splitmix32(seed >>> 0));
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - next(); // (0, 1], so log(u) is finite
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal,
    logNormal: (mu, sigma) => Math.exp(mu + sigma * normal()),
  };
}

function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** cum[i] = w[0] + ... + w[i-1], length n + 1, so any range [lo, hi) can be sampled. */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const cum = new Float64Array(weights.length + 1);
  for (let i = 0; i < weights.length; i++) cum[i + 1] = cum[i]! + weights[i]!;
  return cum;
}

/** An index in [lo, hi) with probability ∝ its weight, from the cumulative sums; O(log n). */
export function sampleRange(cum: Float64Array, lo: number, hi: number, rng: Rng): number {
  const base = cum[lo]!;
  const target = base + rng.next() * (cum[hi]! - base);
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (cum[mid + 1]! > target) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** An index with probability ∝ weights[i]; linear, for the short category vectors. */
export function sampleWeights(weights: ArrayLike<number>, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** First index i in sorted `xs` with xs[i] > value (so xs[0..i) are all <= value). */
export function upperBound(xs: ArrayLike<number>, value: number): number {
  let a = 0;
  let b = xs.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (xs[mid]! <= value) a = mid + 1;
    else b = mid;
  }
  return a;
}
