import { topK } from '../../core/vectors/index.ts';
import type { Interaction } from '../data/index.ts';
import { catalogIndex, type Catalog, type RankFeed, type ScoreAll } from '../evaluate/index.ts';
import { POPULARITY_DEFAULTS } from './defaults.ts';
import { BaselineInputError } from './errors.ts';

export interface PopularityOptions {
  /** What counts towards an item's popularity; see POPULARITY_DEFAULTS.count. */
  count?: 'positives' | 'interactions';
}

/**
 * Most-popular scores: for each catalog index, the number of train interactions on the item
 * (positive ones by default). Items that train never names score 0.
 *
 * Ties are broken by catalog index (lower first): that is topK's rule, and every consumer of
 * these scores (the adapters below, evaluateRetrieval) selects with topK, so the order is the
 * same everywhere. Not folded into the scores as an epsilon, which float32 would lose at
 * large counts.
 */
export function popularityScores(train: readonly Interaction[], catalog: Catalog, options: PopularityOptions = {}): Float32Array {
  const count = options.count ?? POPULARITY_DEFAULTS.count;
  if (count !== 'positives' && count !== 'interactions') {
    throw new BaselineInputError('count', `must be "positives" or "interactions", got ${JSON.stringify(count)}`);
  }
  const indexOf = catalogIndex(catalog);
  const scores = new Float32Array(catalog.length);
  for (let i = 0; i < train.length; i++) {
    const x = train[i]!;
    const index = indexOf.get(x.item);
    if (index === undefined) throw new BaselineInputError(`train[${i}].item`, `"${x.item}" is not in the catalog`);
    if (count === 'interactions' || x.label === 1) scores[index]!++;
  }
  return scores;
}

export interface PopularityModel {
  /** One score per catalog index; shared, never to be written. */
  scores: Float32Array;
  /** For evaluateRetrieval: the same scores for every user. */
  scoreAll: ScoreAll;
  /** For evaluateFeed: the k most popular items the user has not seen. */
  rank: RankFeed;
}

/** Most-popular, with the adapters the evaluators take. */
export function popularityModel(train: readonly Interaction[], catalog: Catalog, options: PopularityOptions = {}): PopularityModel {
  const scores = popularityScores(train, catalog, options);
  return {
    scores,
    scoreAll: () => scores,
    rank: (_user, _history, exclude, k) => {
      const top = topK(scores, k, { exclude: (i) => exclude.has(catalog[i]!) });
      return Array.from(top.indices, (i) => catalog[i]!);
    },
  };
}
