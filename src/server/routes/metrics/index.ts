/**
 * GET /v1/metrics (JSON ServerMetrics, for the dashboard) and GET /metrics (Prometheus text).
 * Both are open: they hold aggregate figures only (no ids).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../../../core/sync/metrics.ts';
import type { ServerContext } from '../../context.ts';
import { DriftCache, PROMETHEUS_CONTENT_TYPE, collectMetrics, toPrometheus } from '../../metrics/index.ts';

export function registerMetricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const drift = new DriftCache(ctx);
  app.get('/v1/metrics', async (_request, reply): Promise<ServerMetrics> => {
    reply.header('cache-control', 'no-store');
    return (await collectMetrics(ctx, drift)).metrics;
  });
  app.get('/metrics', async (_request, reply) => {
    const collected = await collectMetrics(ctx, drift);
    return reply.header('cache-control', 'no-store').type(PROMETHEUS_CONTENT_TYPE).send(toPrometheus(collected));
  });
}
