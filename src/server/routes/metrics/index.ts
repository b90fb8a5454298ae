/**
 * GET /v1/metrics (JSON ServerMetrics, for the dashboard) and GET /metrics (Prometheus text).
 * Both are open (aggregate figures only, no ids), so both are limited per address and read the
 * store's figures through a cache (metrics/collect.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerMetrics } from '../../../core/sync/metrics.ts';
import type { ServerContext } from '../../context.ts';
import { RateLimitedError } from '../../errors.ts';
import { DriftCache, PROMETHEUS_CONTENT_TYPE, StoreFigureCache, collectMetrics } from '../../metrics/index.ts';
import { toPrometheus } from '../../metrics/index.ts';

function limit(ctx: ServerContext, request: FastifyRequest): void {
  const wait = ctx.limits.metrics.take(ctx.clientKey(request), ctx.options.now());
  if (wait > 0) throw new RateLimitedError('ip', wait);
}

export function registerMetricsRoutes(app: FastifyInstance, ctx: ServerContext): StoreFigureCache {
  const drift = new DriftCache(ctx);
  const figures = new StoreFigureCache(ctx);
  app.get('/v1/metrics', async (request, reply): Promise<ServerMetrics> => {
    limit(ctx, request);
    reply.header('cache-control', 'no-store');
    return (await collectMetrics(ctx, figures, drift)).metrics;
  });
  app.get('/metrics', async (request, reply) => {
    limit(ctx, request);
    const collected = await collectMetrics(ctx, figures, drift);
    return reply.header('cache-control', 'no-store').type(PROMETHEUS_CONTENT_TYPE).send(toPrometheus(collected));
  });
  return figures;
}
