/** An operator, attribute or shape the plain-JS runtime does not handle; the message names it. */
export class JsOpError extends Error {
  override name = 'JsOpError';
}
