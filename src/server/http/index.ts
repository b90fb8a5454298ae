export { ajvToValidationError, pointerToPath } from './ajv-error.ts';
export type { AjvErrorLike } from './ajv-error.ts';
export { originMatcher, originPattern, registerCors } from './cors.ts';
export { toErrorAnswer } from './error-body.ts';
export type { ErrorAnswer } from './error-body.ts';
export { etagMatches } from './etag.ts';
export { useStrictJson } from './json-parser.ts';
export { hostMatcher, registerHostCheck } from './host-check.ts';
