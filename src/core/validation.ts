import * as v from 'valibot';
import { ValidationError } from './errors.ts';

/** `artifacts[2].sha256` from a valibot issue path. */
export function issuePath(issue: v.BaseIssue<unknown>, root = ''): string {
  let out = root;
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Parses `input` with `schema`; the first issue becomes a ValidationError naming the field.
 * Only the first issue is reported: a user fixes one field at a time, and the message stays
 * readable; all issues are kept in `cause`.
 */
export function parseWith<S extends v.GenericSchema>(schema: S, input: unknown, root: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = issuePath(issue, root);
  // Union and variant issues carry the specific sub-issue in `issues`: report that one.
  const inner = issue.issues?.[0];
  const message = inner ? `${issue.message}; ${issuePath(inner, root)}: ${inner.message}` : issue.message;
  throw new ValidationError(field, message, { cause: result.issues });
}

/** A non-empty, trimmed name: letters, digits and `._:-`, as used for ids and feature names. */
export const name = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"'),
);

export const finite = v.pipe(v.number(), v.finite('must be a finite number'));
export const positiveInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be ≥ 1'));
export const nonNegativeInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be ≥ 0'));
