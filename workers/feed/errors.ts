import { OndeckError } from '../../src/core/errors.ts';

/** next/track/status called before init() succeeded. */
export class FeedNotReadyError extends OndeckError {
  override name = 'FeedNotReadyError';
}
