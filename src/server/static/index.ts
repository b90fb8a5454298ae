/**
 * The built demo app (dist/app) at /, with SPA fallback: a GET for an unknown path without a file
 * extension (/dashboard) gets index.html; a missing file with an extension is a 404, so a broken
 * script reference fails loudly instead of parsing HTML as JavaScript. Every answer is served
 * cross-origin isolated (COOP same-origin, COEP require-corp): the page and its workers get
 * SharedArrayBuffer and wasm threads. Vite's hashed /assets/ are immutable.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SERVER_DEFAULTS } from '../defaults.ts';
import { NotFoundError, RequestValidationError } from '../errors.ts';
import { etagMatches } from '../http/index.ts';
import { CONTENT_TYPES } from './content-types.ts';

const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
});

/** Paths the app never owns: unknown ones under them are JSON 404s, not the SPA. */
const API_PREFIXES = ['/v1/', '/metrics', '/healthz'];

async function fileAt(path: string): Promise<{ path: string; size: number; mtimeMs: number } | null> {
  const s = await stat(path).catch(() => null);
  return s?.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : null;
}

export function registerAppRoutes(app: FastifyInstance, appDir: string): void {
  const root = resolve(appDir);
  const index = join(root, 'index.html');

  async function sendFile(reply: FastifyReply, file: { path: string; size: number; mtimeMs: number }, ifNoneMatch: string | undefined, immutable: boolean) {
    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
    reply.headers(ISOLATION_HEADERS).header('etag', etag);
    reply.header('cache-control', immutable ? SERVER_DEFAULTS.immutableCache : 'no-cache');
    if (etagMatches(ifNoneMatch, etag)) return reply.code(304).send();
    reply.type(CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream').header('content-length', file.size);
    return reply.send(createReadStream(file.path));
  }

  app.get('/*', async (request, reply) => {
    const rawPath = request.url.split('?')[0]!;
    if (API_PREFIXES.some((p) => rawPath === p || rawPath.startsWith(p))) throw new NotFoundError(`no route GET ${rawPath}`);
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      throw new RequestValidationError('path', 'is not a valid percent-encoded path');
    }
    if (path.includes('\0')) throw new RequestValidationError('path', 'must not contain NUL');
    const target = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (target !== root && !target.startsWith(root + sep)) throw new NotFoundError(`no file ${rawPath}`);
    const found = await fileAt(target);
    const ifNoneMatch = request.headers['if-none-match'];
    if (found) return sendFile(reply, found, ifNoneMatch, rawPath.startsWith('/assets/'));
    if (extname(path) !== '' && extname(path) !== '.html') throw new NotFoundError(`no file ${rawPath}`);
    const fallback = await fileAt(index);
    if (!fallback) throw new NotFoundError(`the app folder has no index.html (${index})`);
    return sendFile(reply, fallback, ifNoneMatch, false);
  });
}
