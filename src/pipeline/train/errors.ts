import { OndeckError, ValidationError } from '../../core/errors.ts';

/** A model or training config that cannot work; `field` names the option, e.g. `crossRank`. */
export class TrainConfigError extends ValidationError {
  override name = 'TrainConfigError';
}

/**
 * Training or inference inputs that do not match the model: a missing tensor, a wrong dtype or
 * shape, labels of the wrong length. `field` names the tensor, e.g. `inputs["history:ids"]`.
 */
export class TrainInputError extends ValidationError {
  override name = 'TrainInputError';
}

/** The tensor backend for training could not be started (or an unknown one was asked for). */
export class TrainBackendError extends OndeckError {
  override name = 'TrainBackendError';
}

/** The loss became NaN or infinite; training stops rather than writing a broken model. */
export class TrainDivergedError extends OndeckError {
  override name = 'TrainDivergedError';
  readonly epoch: number;
  readonly step: number;
  constructor(epoch: number, step: number, loss: number) {
    super(`training diverged: loss ${loss} at epoch ${epoch}, step ${step}; lower the learning rate`);
    this.epoch = epoch;
    this.step = step;
  }
}
