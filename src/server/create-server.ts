/**
 * The Fastify app: routes, one JSON error shape, CORS, compression and the static demo app. It
 * is returned not listening (tests use inject; startServer listens).
 */
import compress from '@fastify/compress';
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_BATCH_BYTES } from '../core/sync/wire.ts';
import { createContext } from './context.ts';
import { SERVER_DEFAULTS } from './defaults.ts';
import { registerCors, registerHostCheck, toErrorAnswer, useStrictJson } from './http/index.ts';
import { resolveOptions, type ResolvedOptions, type ServerOptions } from './options.ts';
import { registerArtifactRoutes } from './routes/artifacts/index.ts';
import { EVENTS_ROUTE, registerEventRoutes } from './routes/events/index.ts';
import { registerExportRoutes } from './routes/export/index.ts';
import { registerFeatureRoutes } from './routes/features/index.ts';
import { registerHealthRoutes } from './routes/health/index.ts';
import { registerInstallRoutes } from './routes/installs/index.ts';
import { registerMetricsRoutes } from './routes/metrics/index.ts';
import { registerReleaseRoutes } from './routes/releases/index.ts';
import { registerEventRetention } from './retention/index.ts';
import { registerTokenRoutes } from './routes/tokens/index.ts';
import { registerAppRoutes } from './static/index.ts';

/** Fastify's form of the trust-proxy option: addresses as they are, a hop count as a function. */
function trustProxyOf(t: ResolvedOptions['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_address, hop) => hop < t;
  return t;
}

export function createServer(options: ServerOptions): FastifyInstance {
  const ctx = createContext(resolveOptions(options));
  const t = ctx.options.timeouts;
  const app = Fastify({
    logger: false,
    trustProxy: trustProxyOf(ctx.options.trustProxy),
    bodyLimit: MAX_BATCH_BYTES,
    return503OnClosing: true,
    // Without these Node waits forever for a body that never comes (Fastify's requestTimeout 0
    // turns Node's own off). Node checks running requests every connectionsCheckingInterval, so
    // that is kept well under the request timeout.
    requestTimeout: t.requestMs,
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    http: {
      requestTimeout: t.requestMs,
      headersTimeout: Math.min(t.headersMs, t.requestMs),
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(t.requestMs / 4))),
    },
    ajv: {
      // Validate, never repair: no type coercion, no silent removal of unknown fields, no
      // defaults. `verbose` keeps the parent schema on errors, to list the allowed fields.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, discriminator: true, verbose: true },
    },
  });

  app.server.maxConnections = t.maxConnections;
  useStrictJson(app);
  registerHostCheck(app, ctx.options.allowedHosts);
  app.setErrorHandler((error, request, reply) => {
    const a = toErrorAnswer(error);
    if (a.status >= 500) ctx.options.onInternalError(error);
    if (request.method === 'POST' && request.routeOptions.url === EVENTS_ROUTE) ctx.counters.reject(a.reason);
    return reply.code(a.status).headers(a.headers).type('application/json; charset=utf-8').send(a.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/json; charset=utf-8').send({ error: 'NotFound', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.register(compress, {
    global: true,
    threshold: SERVER_DEFAULTS.compressThreshold,
    encodings: ['br', 'gzip', 'deflate'],
    // Request bodies are never compressed by the device; accepting them would let a small
    // compressed body expand past every limit before the JSON parser sees it.
    globalDecompression: false,
  });
  registerCors(app, ctx.options.allowedOrigins);
  app.register(async (scope) => {
    registerReleaseRoutes(scope, ctx);
    registerArtifactRoutes(scope, ctx);
    registerTokenRoutes(scope, ctx);
    registerEventRoutes(scope, ctx);
    registerFeatureRoutes(scope, ctx);
    registerExportRoutes(scope, ctx);
    registerInstallRoutes(scope, ctx);
    registerMetricsRoutes(scope, ctx);
    registerHealthRoutes(scope, ctx);
    if (ctx.options.appDir !== null) registerAppRoutes(scope, ctx.options.appDir);
  });
  registerEventRetention(app, ctx);
  return app;
}
