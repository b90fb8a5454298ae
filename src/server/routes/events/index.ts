/**
 * POST /v1/events: one EventBatch, validated by its JSON schema and against the server's clock
 * and settings (check-batch.ts), counted against the daily quotas of its app and address, stored
 * by the feature store and acknowledged only after the store committed it. Auth and rate limits
 * run before the body is read; rejections are counted by reason in the server's error handler.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_BATCH_BYTES, type BatchAck, type EventBatch } from '../../../core/sync/wire.ts';
import { requireWriter, type Principal } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import { QuotaExceededError } from '../../errors.ts';
import { checkBatch } from './check-batch.ts';
import { batchAckSchema, eventBatchSchema } from './schema.ts';

export const EVENTS_ROUTE = '/v1/events';

const DAY_MS = 86_400_000;

/** Device writes count against the day's quota of their app key and of their address. */
function takeQuota(ctx: ServerContext, principal: Principal, clientKey: string, rows: number, now: number): void {
  if (principal.kind !== 'device') return;
  const appWait = ctx.quotas.app.check(principal.app, rows, now);
  if (appWait > 0) throw new QuotaExceededError('app', appWait);
  const addressWait = ctx.quotas.address.check(clientKey, rows, now);
  if (addressWait > 0) throw new QuotaExceededError('address', addressWait);
  ctx.quotas.app.add(principal.app, rows, now);
  ctx.quotas.address.add(clientKey, rows, now);
}

/**
 * Forgets batch ids older than the dedup retention, at most once per interval and a bounded
 * number at a time, after the answer (a failure is logged, never the request's).
 */
function expiry(ctx: ServerContext): (now: number) => void {
  let last = -Infinity;
  let running = false;
  const { everyMs, limit } = SERVER_DEFAULTS.dedupExpiry;
  return (now) => {
    if (running || now - last < everyMs) return;
    last = now;
    running = true;
    ctx.options.store
      .expireBatches({ before: now - SERVER_DEFAULTS.dedupRetentionDays * DAY_MS, limit })
      .catch((error: unknown) => ctx.options.onInternalError(error))
      .finally(() => {
        running = false;
      });
  };
}

export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const principals = new WeakMap<object, Principal>();
  const expire = expiry(ctx);
  app.post<{ Body: EventBatch }>(
    EVENTS_ROUTE,
    {
      bodyLimit: MAX_BATCH_BYTES,
      onRequest: async (request) => {
        principals.set(request, requireWriter(ctx, request));
      },
      schema: { body: eventBatchSchema, response: { 200: batchAckSchema } },
    },
    async (request): Promise<BatchAck> => {
      const batch = request.body;
      const now = ctx.options.now();
      checkBatch(batch, { now, epsilon: ctx.options.aggregateEpsilon });
      const rows = batch.mode === 'pseudonymous' ? batch.events.length : batch.counts.length;
      takeQuota(ctx, principals.get(request)!, ctx.clientKey(request), rows, now);
      const result = await ctx.options.store.ingest(batch, now);
      ctx.counters.stored(result.stored, result.duplicate);
      expire(now);
      return { batchId: batch.batchId, stored: result.stored, duplicate: result.duplicate };
    },
  );
}

