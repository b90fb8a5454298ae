/**
 * A seeded sample of a split's test users, for evaluating large data: the cost of evaluation
 * grows with test users x catalog (every user scores every item), so past a few thousand users
 * a sample measures the same model at a fraction of the cost. Train stays whole: the models
 * are still trained on everyone, only the number of users judged is bounded.
 */
import { DatasetOptionError } from './errors.ts';
import { createRng } from './prng.ts';
import type { Interaction } from './types.ts';

export interface UserSample {
  /** Users kept. */
  users: number;
  /** Test users there were. */
  of: number;
  seed: number;
}

export interface SampledSplit<S extends { train: readonly Interaction[]; test: readonly Interaction[] }> {
  /** The split itself (the same object) when it has at most `max` test users; else train whole, test of the sampled users. */
  split: S | { train: S['train']; test: Interaction[] };
  /** null when every test user was kept. */
  sample: UserSample | null;
}

/**
 * At most `max` test users, drawn uniformly without replacement (seeded; the same split, max
 * and seed give the same sample), their test interactions kept in order. A split with at most
 * `max` test users comes back unchanged, so small data is evaluated exactly as before.
 */
export function sampleTestUsers<S extends { train: readonly Interaction[]; test: readonly Interaction[] }>(
  split: S,
  max: number,
  seed: number,
): SampledSplit<S> {
  if (!Number.isInteger(max) || max < 1) throw new DatasetOptionError('max', `must be an integer >= 1, got ${max}`);
  const users: string[] = [];
  const seen = new Set<string>();
  for (const x of split.test) {
    if (!seen.has(x.user)) {
      seen.add(x.user);
      users.push(x.user);
    }
  }
  if (users.length <= max) return { split, sample: null };
  // Partial Fisher-Yates: the first `max` places of a seeded shuffle.
  const rng = createRng(seed ^ 0x5a3b1e);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(users.length - i);
    const t = users[i]!;
    users[i] = users[j]!;
    users[j] = t;
  }
  const kept = new Set(users.slice(0, max));
  return {
    split: { train: split.train, test: split.test.filter((x) => kept.has(x.user)) },
    sample: { users: max, of: users.length, seed },
  };
}
