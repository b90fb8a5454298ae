/**
 * POST /v1/events: one EventBatch, validated by its JSON schema, stored by the feature store and
 * acknowledged only after the store committed it. Auth and rate limits run before the body is
 * read; rejections are counted by reason in the server's error handler.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_BATCH_BYTES, type BatchAck, type EventBatch } from '../../../core/sync/wire.ts';
import { requireWriter } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { batchAckSchema, eventBatchSchema } from './schema.ts';

export const EVENTS_ROUTE = '/v1/events';

export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: EventBatch }>(
    EVENTS_ROUTE,
    {
      bodyLimit: MAX_BATCH_BYTES,
      onRequest: async (request) => {
        requireWriter(ctx, request);
      },
      schema: { body: eventBatchSchema, response: { 200: batchAckSchema } },
    },
    async (request): Promise<BatchAck> => {
      const batch = request.body;
      const result = await ctx.options.store.ingest(batch, ctx.options.now());
      ctx.counters.stored(result.stored, result.duplicate);
      return { batchId: batch.batchId, stored: result.stored, duplicate: result.duplicate };
    },
  );
}

export { eventBatchSchema } from './schema.ts';
