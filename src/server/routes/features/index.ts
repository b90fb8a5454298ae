/** GET /v1/items/features (secret key): what the next release's pipeline reads per item. */
import type { FastifyInstance } from 'fastify';
import { requireSecret } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import type { ItemFeatures } from '../../store/types.ts';

export function registerFeatureRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/v1/items/features', async (request, reply): Promise<ItemFeatures[]> => {
    requireSecret(ctx, request);
    reply.header('cache-control', 'no-store');
    return ctx.options.store.itemFeatures({ now: ctx.options.now(), ...SERVER_DEFAULTS.itemFeatures });
  });
}
