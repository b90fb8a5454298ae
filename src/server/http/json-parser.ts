/**
 * The one body parser: application/json, strict UTF-8. Fastify's own parser decodes with
 * replacement characters, so invalid bytes would be stored as U+FFFD; here they are a 400.
 * Every other content type is left without a parser, so Fastify answers 415.
 * Prototype poisoning (`__proto__`, `constructor.prototype`) is refused by Fastify's JSON parser.
 */
import type { FastifyInstance } from 'fastify';
import { InvalidJsonError } from '../errors.ts';

export function useStrictJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch (cause) {
      done(new InvalidJsonError('the body is not valid UTF-8', { cause }), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
