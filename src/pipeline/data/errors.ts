import { OndeckError, ValidationError } from '../../core/errors.ts';

/** Where in a file a problem is; every part optional, most specific last. */
export interface DatasetLocation {
  file?: string;
  /** 1-based, the physical line where the record starts. */
  line?: number;
  /** A CSV column name. */
  column?: string;
  /** A JSON field name, for the line-per-record formats. */
  field?: string;
}

/**
 * A dataset file that cannot be read as given. The message is one line that starts with
 * `file:line: column "x":` so a user can jump to the spot; the parts are also fields, so tests
 * and callers need not parse the message.
 */
export class DatasetError extends OndeckError {
  override name = 'DatasetError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly field: string | undefined;
  constructor(where: DatasetLocation, message: string, options?: { cause?: unknown }) {
    super(`${formatLocation(where)}${message}`, options);
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.field = where.field;
  }
}

/** Bad options to a loader, generator or split; `field` names the option. */
export class DatasetOptionError extends ValidationError {
  override name = 'DatasetOptionError';
}

function formatLocation({ file, line, column, field }: DatasetLocation): string {
  let prefix = '';
  if (file !== undefined) prefix += line !== undefined ? `${file}:${line}: ` : `${file}: `;
  if (column !== undefined) prefix += `column "${column}": `;
  if (field !== undefined) prefix += `field "${field}": `;
  return prefix;
}
