import { ValidationError } from '../../src/core/errors.ts';

/** The `field` a ValidationError names when `fn` throws one; other errors propagate. */
export function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('did not throw');
}
