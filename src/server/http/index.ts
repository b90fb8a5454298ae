export { registerCors } from './cors.ts';
export { toErrorAnswer } from './error-body.ts';
export { etagMatches } from './etag.ts';
export { useStrictJson } from './json-parser.ts';
export { registerHostCheck } from './host-check.ts';
