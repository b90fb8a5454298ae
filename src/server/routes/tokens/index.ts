/** POST /v1/tokens: a public app key (`X-Ondeck-App`) buys a short-lived, signed device token. */
import type { FastifyInstance } from 'fastify';
import type { DeviceToken } from '../../../core/sync/wire.ts';
import { issueToken, limitTokenIssue } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { UnauthorizedError } from '../../errors.ts';

export function registerTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/v1/tokens',
    {
      // Checked before any body is read: a token request needs none.
      onRequest: async (request) => {
        limitTokenIssue(ctx, request);
        const key = request.headers['x-ondeck-app'];
        if (typeof key !== 'string' || key === '') throw new UnauthorizedError('missing', 'missing X-Ondeck-App: <public app key>');
        if (!ctx.auth.appKeys.has(key)) throw new UnauthorizedError('unknown-app', 'unknown app key in X-Ondeck-App');
      },
      schema: { response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'number' } } } } },
    },
    async (request, reply): Promise<DeviceToken> => {
      reply.header('cache-control', 'no-store');
      return issueToken(ctx.auth.tokenKey, request.headers['x-ondeck-app'] as string, ctx.options.now(), ctx.options.tokenTtlSeconds);
    },
  );
}
