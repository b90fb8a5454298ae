import type { EvalSplit } from './protocol.ts';

/**
 * The split seen through a subset of users: test keeps only their interactions, train stays
 * whole. Train is not cut because evaluation reads only each test user's own history from it,
 * and anything a caller derives from train (popularity, a model) must stay the model trained
 * on everyone: restricting measures the same model on fewer users.
 */
export function restrictToUsers(split: EvalSplit, users: ReadonlySet<string>): EvalSplit {
  return { train: split.train, test: split.test.filter((x) => users.has(x.user)) };
}

export interface WarmCold {
  /** Users with a test interaction and at least one train interaction. */
  warm: Set<string>;
  /** Users with a test interaction and none in train (cold start; the global split has them). */
  cold: Set<string>;
}

/**
 * Test users split by whether train knows them. Under the per-user split every test user is
 * warm by construction; under the global split the cold ones are those who arrived after the
 * cut, and a model can only serve them from the context and the catalog.
 */
export function warmColdUsers(split: EvalSplit): WarmCold {
  const known = new Set<string>();
  for (const x of split.train) known.add(x.user);
  const warm = new Set<string>();
  const cold = new Set<string>();
  for (const x of split.test) (known.has(x.user) ? warm : cold).add(x.user);
  return { warm, cold };
}
