/**
 * Errors of the feature store, the same from both adapters; callers branch on `name`. The server
 * answers them as 4xx (http/error-body.ts): the batch is wrong, not the server.
 */
import { OndeckError } from '../../core/errors.ts';

/** A batch the store cannot hold as is; `field` is its path, e.g. `events[3].itemId`. */
export class InvalidBatchError extends OndeckError {
  override name = 'InvalidBatchError';
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The batch id was stored before with another body (mode, install, rows): not a replay. */
export class BatchConflictError extends OndeckError {
  override name = 'BatchConflictError';
  readonly batchId: string;
  constructor(batchId: string) {
    super(`batch id ${batchId} was stored before with a different body; a retry must resend the same batch, a new batch needs a new id`);
    this.batchId = batchId;
  }
}

/** The batch's install was deleted (DELETE /v1/installs/:id); nothing of it is stored again. */
export class InstallDeletedError extends OndeckError {
  override name = 'InstallDeletedError';
  constructor() {
    super('this install id was deleted; its batches are refused for good (start a new install id)');
  }
}

/** A store operation after close(). */
export class StoreClosedError extends OndeckError {
  override name = 'StoreClosedError';
  constructor() {
    super('the feature store is closed');
  }
}
