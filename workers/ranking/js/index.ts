export { createJsSession } from './js-session.ts';
export type { JsSession } from './js-session.ts';
export type { JsTensor } from './ops.ts';
