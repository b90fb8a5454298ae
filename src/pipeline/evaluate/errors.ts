import { ValidationError } from '../../core/errors.ts';

/**
 * Input the evaluation protocol cannot score fairly: a catalog with duplicate ids, a split that
 * names an item outside the catalog, a model that returns the wrong number of scores, NaN, a
 * seen item or too short a feed. `field` names the culprit, e.g. `scoreAll(user "42")`.
 * Thrown, never patched over: a metric computed around a broken model would look plausible.
 */
export class EvaluationInputError extends ValidationError {
  override name = 'EvaluationInputError';
}
