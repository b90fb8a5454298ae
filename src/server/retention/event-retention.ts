/**
 * Event retention: pseudonymous events older than `retention.eventDays` whole UTC days are
 * dropped (FeatureStore.dropEventsBefore: whole day partitions on Postgres, bounded delete steps
 * on SQLite), once when the server is ready and then every `retention.everyMs`. Day counters stay:
 * they are the aggregate history that item features and metrics read.
 *
 * Sweeps never overlap and never hold up readiness or a request; a failure goes to
 * onInternalError. Closing the server stops the timer and waits for a running sweep, so the store
 * is not closed under it.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';

const DAY_MS = 86_400_000;

export function registerEventRetention(app: FastifyInstance, ctx: ServerContext): void {
  const retention = ctx.options.retention;
  if (retention === null) return;
  const { store, now, onInternalError } = ctx.options;
  let running: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const sweep = () => {
    if (running !== null) return;
    running = store
      .dropEventsBefore({ before: now() - retention.eventDays * DAY_MS })
      .then(
        () => undefined,
        (error: unknown) => onInternalError(error),
      )
      .finally(() => {
        running = null;
      });
  };

  app.addHook('onReady', async () => {
    sweep();
    timer = setInterval(sweep, retention.everyMs);
    // A sweep waiting for its next turn does not keep the process alive.
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    await running;
  });
}
