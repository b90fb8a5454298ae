// Where MovieLens-100K lives on this machine. Its licence keeps it out of the repository, so
// tests and benchmarks look for it beside the checkout (../shared/datasets/ml-100k), at the
// workplace's fixed path (a CI clone lives elsewhere), or where ONDECK_ML100K points.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CANDIDATES = [process.env['ONDECK_ML100K'], resolve('../shared/datasets/ml-100k'), '/work/shared/datasets/ml-100k'].filter(
  (p): p is string => typeof p === 'string' && p !== '',
);

/** The first candidate holding u.data, else the first candidate (for messages). */
export const ML100K_DIR: string = CANDIDATES.find((p) => existsSync(join(p, 'u.data'))) ?? CANDIDATES[0]!;
export const ML100K_PRESENT: boolean = existsSync(join(ML100K_DIR, 'u.data'));

/**
 * The MovieLens-100K folder, or an error that says how to get it. Tests that need the data call
 * this (in beforeAll), so a clone without it fails with the advice instead of reporting a green
 * run that skipped them.
 */
export function requireMovieLens(): string {
  if (ML100K_PRESENT) return ML100K_DIR;
  throw new Error(
    [
      `MovieLens-100K is not at ${CANDIDATES.join(' or ')} (no u.data); its licence keeps it out of the repository.`,
      'Get it, then run the tests again:',
      '  curl -LO https://files.grouplens.org/datasets/movielens/ml-100k.zip && unzip ml-100k.zip -d ../shared/datasets/',
      '  (or unzip it anywhere and set ONDECK_ML100K=/path/to/ml-100k)',
    ].join('\n'),
  );
}
