import { ValidationError } from '../../core/errors.ts';

/**
 * A report that breaks the report.json contract: the benchmark and the README read it later, so
 * a missing or mistyped key fails here, at write time, rather than as `undefined` in a table.
 * `field` is the dotted path, e.g. `feed.dcn.ndcg@10`.
 */
export class ReportError extends ValidationError {
  override name = 'ReportError';
}
