/**
 * GET /v1/export/events?since=<ms|ISO>&after=<seq>&limit=<n> (secret key): pseudonymous events
 * as JSON Lines, in store order, one page per request. The cursor of the next page is in
 * `X-Ondeck-Next-After` (and a `Link: rel="next"` while `X-Ondeck-More: true`); a consumer loops
 * until X-Ondeck-More is false, appending pages to one file for `ondeck build --dataset events`.
 */
import type { FastifyInstance } from 'fastify';
import { requireSecret } from '../../auth/index.ts';
import type { ServerContext } from '../../context.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import { RequestValidationError } from '../../errors.ts';
import { exportLine } from './export-line.ts';

interface ExportQuery {
  since?: string;
  after?: string;
  limit?: string;
}

/** `since` as ms since the epoch: digits are ms, anything else must be an ISO 8601 time. */
function parseSince(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new RequestValidationError('since', 'must be milliseconds since the epoch or an ISO 8601 time, e.g. 2026-11-01T00:00:00Z');
  }
  return ms;
}

function parseInteger(value: string | undefined, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new RequestValidationError(field, `must be an integer from ${min} to ${max}`);
  return n;
}

export function registerExportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: ExportQuery }>('/v1/export/events', async (request, reply) => {
    requireSecret(ctx, request);
    const q = request.query;
    const since = parseSince(q.since);
    const after = parseInteger(q.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const { default: byDefault, max } = SERVER_DEFAULTS.exportLimit;
    const limit = parseInteger(q.limit, 'limit', byDefault, 1, max);
    const events = await ctx.options.store.exportEvents({ since, afterSeq: after, limit });
    const next = events.length > 0 ? events[events.length - 1]!.seq : after;
    const more = events.length === limit;
    reply
      .type('application/x-ndjson; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-ondeck-next-after', String(next))
      .header('x-ondeck-more', String(more));
    if (more) reply.header('link', `</v1/export/events?since=${since}&after=${next}&limit=${limit}>; rel="next"`);
    let body = '';
    for (const e of events) body += `${exportLine(e)}\n`;
    return reply.send(body);
  });
}
