import { readFileSync } from 'node:fs';
import { DatasetError } from './errors.ts';

/**
 * Reads a whole dataset file, turning the fs errors a user can fix (missing, a folder, no
 * permission) into one-line DatasetErrors that name the file and what it was meant to be.
 */
export function readDatasetFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `${what} not found`
        : code === 'EISDIR'
          ? `${what} is a folder, expected a file`
          : code === 'EACCES'
            ? `${what} is not readable (permission denied)`
            : `cannot read ${what}: ${(err as Error).message}`;
    throw new DatasetError({ file: path }, reason, { cause: err });
  }
}
