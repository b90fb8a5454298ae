/**
 * CORS. Releases and artifacts are public and immutable (any CDN serves them): `*`. Everything
 * else (events, tokens, metrics, features) only for the configured origins: pages and webviews
 * on other origins that embed the feed. Preflight is answered for POST with Authorization and
 * Content-Type.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { SERVER_DEFAULTS } from '../defaults.ts';

const PUBLIC_PREFIXES = ['/v1/releases/', '/v1/artifacts/'];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `http://localhost:*` -> a regex: `*` is any port after `:`, any host labels elsewhere. */
export function originPattern(pattern: string): RegExp {
  const parts = pattern.split('*').map(escape);
  let src = parts[0]!;
  for (let i = 1; i < parts.length; i++) src += (src.endsWith(':') ? '\\d{1,5}' : '[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*') + parts[i];
  return new RegExp(`^${src}$`);
}

export function originMatcher(allowed: readonly string[] | '*'): (origin: string) => boolean {
  if (allowed === '*') return () => true;
  const exact = new Set(allowed.filter((a) => !a.includes('*')));
  const patterns = allowed.filter((a) => a.includes('*')).map(originPattern);
  return (origin) => exact.has(origin) || patterns.some((p) => p.test(origin));
}

/**
 * Registers @fastify/cors on `app` (root level). The server's own origin (`http://<Host>`) is
 * always allowed, so the default list needs no port known before listening.
 */
export function registerCors(app: FastifyInstance, allowed: readonly string[] | '*'): void {
  const isAllowed = originMatcher(allowed);
  const common = {
    methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Ondeck-App', 'If-None-Match'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Ondeck-Next-After', 'X-Ondeck-More'],
    maxAge: SERVER_DEFAULTS.corsMaxAgeSeconds,
  };
  app.register(cors, {
    delegator: (req, cb) => {
      const path = (req.url ?? '').split('?')[0]!;
      const method = req.method === 'OPTIONS' ? String(req.headers['access-control-request-method'] ?? '') : req.method;
      const publicRead = (method === 'GET' || method === 'HEAD') && PUBLIC_PREFIXES.some((p) => path.startsWith(p));
      const origin = req.headers.origin;
      const own = typeof origin === 'string' && req.headers.host !== undefined && origin === `http://${req.headers.host}`;
      const ok = typeof origin === 'string' && (own || isAllowed(origin));
      cb(null, { ...common, origin: publicRead ? '*' : ok ? origin : false });
    },
  });
}
