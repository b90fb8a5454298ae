/**
 * The Host header against the hosts the server answers for. A page on an attacker's domain that
 * re-resolves its name to 127.0.0.1 (DNS rebinding) reaches a local server with its own name in
 * Host; refusing unknown hosts (421) keeps such pages from the server's private routes.
 */
import type { FastifyInstance } from 'fastify';
import { MisdirectedRequestError } from '../errors.ts';
import { originPattern } from './cors.ts';

/**
 * `localhost`, `api.example.com:443`, `*.example.com`, `localhost:*`: a name alone matches it on
 * any port; `*` in a name stands for labels, after `:` for a port.
 */
export function hostMatcher(allowed: readonly string[] | '*'): (host: string) => boolean {
  if (allowed === '*') return () => true;
  const patterns = allowed.map((a) => originPattern(a.toLowerCase()));
  const names = allowed.filter((a) => !/:[\d*]+$/.test(a) || a.startsWith('[') && !a.includes(']:')).map((a) => originPattern(a.toLowerCase()));
  return (host) => {
    const h = host.toLowerCase();
    if (patterns.some((p) => p.test(h))) return true;
    // Host without its port, for entries that name no port.
    const name = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
    return names.some((p) => p.test(name));
  };
}

export function registerHostCheck(app: FastifyInstance, allowed: readonly string[] | '*'): void {
  if (allowed === '*') return;
  const ok = hostMatcher(allowed);
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (typeof host !== 'string' || !ok(host)) {
      throw new MisdirectedRequestError(`this server does not answer for host ${JSON.stringify(String(host ?? '')).slice(0, 80)}; allowed: ${allowed.join(', ')}`);
    }
  });
}
