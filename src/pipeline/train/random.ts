/**
 * Seeded randomness for training: initial weights and minibatch order. Our own generator, not
 * tf.random*, so that the same seed gives the same model whichever backend runs, and so that
 * each variable draws from its own stream (adding a feature does not reshuffle the weights of
 * the others). Only integer arithmetic and one multiply per draw: no Math.log or Math.cos,
 * whose last bit may differ between JS engines.
 */
import { hashString } from '../../core/features/hash.ts';
import { mulberry32 } from '../../core/random.ts';

/** Uniform draws in [0, 1) with 32-bit resolution: mulberry32, its state seeded through splitmix32's mixer. */
export interface Random {
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** splitmix32's finaliser: decorrelates nearby seeds (0, 1, 2 ... give unrelated streams). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

export function createRandom(seed: number): Random {
  const next = mulberry32(mix((seed >>> 0) ^ 0x9e3779b9));
  return { next, int: (n) => Math.floor(next() * n) };
}

/** The generator of one named stream (a variable, an epoch's shuffle) under a run's seed. */
export function streamFor(seed: number, name: string): Random {
  return createRandom(hashString(name, seed >>> 0));
}

/** Fills `out` with uniform values in [-limit, limit]. */
export function fillUniform(out: Float32Array, limit: number, random: Random): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = (2 * random.next() - 1) * limit;
  return out;
}

/** 0..n-1 in a random order (Fisher-Yates). */
export function permutation(n: number, random: Random): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
