import { OndeckError } from '../../core/errors.ts';

/** A release's drift baseline or manifest could not be read or is not valid. */
export class DriftBaselineError extends OndeckError {
  override name = 'DriftBaselineError';
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}
