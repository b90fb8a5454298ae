/**
 * GET /v1/releases/latest and GET /v1/releases/:id: the manifest, with its artifact URLs pointing
 * at /v1/artifacts/ on this server. ETag / If-None-Match -> 304, so a device polling for a new
 * release costs a few bytes while none is published.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import { ReleaseUnavailableHttpError } from '../../errors.ts';
import { etagMatches } from '../../http/index.ts';
import type { ReleaseDir, ServedManifest } from '../../releases/index.ts';

function send(request: FastifyRequest, reply: FastifyReply, m: ServedManifest, cacheControl: string) {
  reply.header('etag', m.etag).header('cache-control', cacheControl).header('cross-origin-resource-policy', 'cross-origin');
  if (etagMatches(request.headers['if-none-match'], m.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(m.body);
}

function dir(ctx: ServerContext): ReleaseDir {
  if (!ctx.releases) throw new ReleaseUnavailableHttpError(404, 'this server has no release folder (start it with --release DIR)');
  return ctx.releases;
}

export function registerReleaseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/releases/latest', async (request, reply) => send(request, reply, await dir(ctx).latest(), SERVER_DEFAULTS.latestCache));
  app.get<{ Params: { id: string } }>('/v1/releases/:id', async (request, reply) =>
    send(request, reply, await dir(ctx).byId(request.params.id), SERVER_DEFAULTS.releaseCache),
  );
}
