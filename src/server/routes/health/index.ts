/** GET /healthz: answers only after a trivial store query succeeded. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async (_request, reply) => {
    const { store } = ctx.options;
    if (store.ping) await store.ping();
    else await store.stats();
    reply.header('cache-control', 'no-store');
    return { ok: true, store: store.kind };
  });
}
