/**
 * GET /healthz: 200 only when the store answers and takes writes. A read (`SELECT 1`) alone stays
 * green on a full disk, so a committed write of one row (probeWrite) is part of the check. The
 * read runs on every call; a successful write probe is reused for SERVER_DEFAULTS.healthProbeMs
 * (one fsync per interval at most, however often a balancer asks), a failed one is retried on the
 * next call. A failure is a 500 like any other (the cause goes to the log, not the body).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  let lastGood = -Infinity;
  let pending: Promise<void> | null = null;
  app.get('/healthz', async (_request, reply) => {
    const { store, now } = ctx.options;
    if (store.ping) await store.ping();
    else await store.stats();
    const at = now();
    if (at - lastGood >= SERVER_DEFAULTS.healthProbeMs) {
      pending ??= store.probeWrite(at).finally(() => {
        pending = null;
      });
      await pending;
      lastGood = at;
    }
    reply.header('cache-control', 'no-store');
    return { ok: true, store: store.kind };
  });
}
