import { ValidationError } from '../../core/errors.ts';
import { OndeckError } from '../../core/errors.ts';

/**
 * A file given to `ondeck release` that breaks the contract. `field` is `<file>: <field>`, e.g.
 * `ranker.onnx: graph.input "hist_ids".dims[1]` or `items.npy: header.descr`.
 */
export class ImportError extends ValidationError {
  override name = 'ImportError';
  readonly file: string;
  constructor(file: string, field: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${field}`, message, options);
    this.file = file;
  }
}

/** A bad command line (unknown flag, missing file argument); the CLI answers with exit code 2. */
export class ReleaseOptionError extends OndeckError {
  override name = 'ReleaseOptionError';
}
