import { ValidationError } from '../../core/errors.ts';

/**
 * Inputs a baseline cannot use: a tensor missing, of the wrong type or shape, an id outside its
 * table, a non-finite value, labels of the wrong length, an option out of range, a model whose
 * weights do not fit the spec. `field` names it, e.g. `tensors["genres"]` or `opts.epochs`.
 */
export class BaselineInputError extends ValidationError {
  override name = 'BaselineInputError';
}
