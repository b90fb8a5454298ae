/**
 * GET /v1/artifacts/<sha256>[.<ext>]: content-addressed, so immutable and cacheable for a year;
 * compressed when the client accepts it (@fastify/compress); readable from any origin (CORS `*`,
 * CORP cross-origin), as a CDN would serve them. Only names matching the SHA-256 pattern are
 * looked up, so no path can leave the artifacts folder.
 */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import { NotFoundError, ReleaseUnavailableHttpError, RequestValidationError } from '../../errors.ts';
import { etagMatches } from '../../http/index.ts';

const ARTIFACT_NAME = /^([0-9a-f]{64})(?:\.([A-Za-z0-9]{1,16}))?$/;

const TYPES: Readonly<Record<string, string>> = {
  json: 'application/json; charset=utf-8',
  onnx: 'application/octet-stream',
  bin: 'application/octet-stream',
};

export function registerArtifactRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { file: string } }>('/v1/artifacts/:file', async (request, reply) => {
    const match = ARTIFACT_NAME.exec(request.params.file);
    if (!match) {
      throw new RequestValidationError('file', 'must be a SHA-256 (64 lowercase hex digits), optionally followed by .<ext>');
    }
    if (!ctx.releases) throw new ReleaseUnavailableHttpError(404, 'this server has no release folder (start it with --release DIR)');
    const sha256 = match[1]!;
    const found = await ctx.releases.artifactFile(sha256, match[2]);
    if (!found) throw new NotFoundError(`no artifact ${request.params.file}`);
    const etag = `"${sha256}"`;
    reply
      .header('cache-control', SERVER_DEFAULTS.immutableCache)
      .header('etag', etag)
      .header('cross-origin-resource-policy', 'cross-origin')
      .type(TYPES[found.ext] ?? 'application/octet-stream');
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    reply.header('content-length', found.size);
    return reply.send(createReadStream(found.path));
  });
}
