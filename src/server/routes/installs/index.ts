/**
 * DELETE /v1/installs/:id (secret key): erases every event and batch of one pseudonymous install
 * and keeps its tombstone, so later batches of that install (replays included) are refused (410).
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ID_LENGTH } from '../../../core/sync/wire.ts';
import { requireSecret } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { RequestValidationError } from '../../errors.ts';

export function registerInstallRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.delete<{ Params: { id: string } }>('/v1/installs/:id', async (request) => {
    requireSecret(ctx, request);
    const installId = request.params.id;
    if (installId.length < 1 || installId.length > MAX_ID_LENGTH) {
      throw new RequestValidationError('id', `must be 1 to ${MAX_ID_LENGTH} characters`);
    }
    const { deleted } = await ctx.options.store.deleteInstall(installId, ctx.options.now());
    ctx.counters.changed();
    return { installId, deleted };
  });
}
