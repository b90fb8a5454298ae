import type { EventType } from '../../core/events.ts';

/**
 * How the labels of a dataset arose; the trainer branches on it.
 * - `explicit`: ratings, thresholded into labels (MovieLens).
 * - `implicit`: positives only (every row is something the user chose); the trainer samples
 *   negatives itself, this layer never invents them.
 * - `impressions`: shown-and-clicked (1) next to shown-not-clicked (0), as a feed logs them.
 */
export type Feedback = 'explicit' | 'implicit' | 'impressions';

/**
 * One user-item event, the row every loader produces.
 *
 * `label` and `type` always agree: label 1 has a positive type (`click`, `watch`, `like`), label 0
 * a negative one (`impression`, `skip`, `hide`); see POSITIVE_EVENT_TYPES. Loaders choose:
 * - a feed impression not clicked: `impression` (0); clicked: `click` (1), with watch fields;
 * - a rating: `like` (1) at or above the positive threshold, `skip` (0) below it;
 * - a row with a watch time and no rating: `watch` (1); otherwise a plain positive is `click`.
 */
export interface Interaction {
  user: string;
  item: string;
  /** Milliseconds since the Unix epoch, UTC. */
  at: number;
  label: 0 | 1;
  type: EventType;
  rating?: number;
  watchSeconds?: number;
  /** watchSeconds / item duration, clamped to [0, 1]; present only when both are known. */
  watchFraction?: number;
}

export interface Item {
  id: string;
  /** The id itself when the source has no title. */
  title: string;
  /** Names from Dataset.categories; empty when unknown. */
  categories: string[];
  durationSeconds?: number;
  /** Upload or release time, ms since the epoch. */
  created?: number;
  image?: string;
}

export interface User {
  id: string;
  /** Side features as the source gives them (MovieLens: age, gender, occupation, zip). */
  features: Record<string, string | number>;
}

export interface Dataset {
  name: string;
  /** Sorted by `at`, ties kept in input order (the sort is stable). */
  interactions: Interaction[];
  /** Every item an interaction names is here, with a minimal entry when the source had none. */
  items: Map<string, Item>;
  /** Every user an interaction names is here; features empty when the source has none. */
  users: Map<string, User>;
  feedback: Feedback;
  /** The category vocabulary, in the source's order (MovieLens genre order) or sorted. */
  categories: string[];
  /** Things the caller should print: the data loaded, but not quite as given. */
  warnings: string[];
  /**
   * What the source knows and no log shows: how much each user would like any item, shown or
   * not. Only generateSynthetic sets it (the simulator's own model); data read from files has
   * none. See synthetic-truth.ts for the judgement built on it.
   */
  truth?: GroundTruth;
}

/**
 * A user's true preferences, as the simulation that made the data defines them. Functions, not
 * tables: the full user x item matrix is large, and consumers ask for a few users at a time.
 */
export interface GroundTruth {
  /** One sentence saying what `clickProbability` is, for a report. */
  readonly definition: string;
  /**
   * The simulator's probability that `user` clicks `item` shown in the first slot of a feed,
   * in (0, 1), with no sampling; throws DatasetOptionError for an id the world does not have.
   */
  clickProbability(user: string, item: string): number;
  /**
   * Optional, for speed: `user`'s click probability of every item the world has, with the ids in
   * the same order (each value exactly what clickProbability gives). Judging a feed against the
   * truth asks for every item of a large catalogue for each test user; one call per user spares
   * two id lookups per item.
   */
  clickProbabilities?(user: string): { items: readonly string[]; probabilities: Float64Array };
}
