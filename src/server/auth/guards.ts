/** Route guards: who may call, and how often. */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.ts';
import { RateLimitedError, UnauthorizedError } from '../errors.ts';
import { authenticate, type Principal } from './authenticate.ts';

/**
 * authenticate(), with wrong secret keys limited per address: once an address has spent its
 * failures, every `Key` attempt from it is refused (429) before the key is compared.
 */
function authenticateLimited(ctx: ServerContext, request: FastifyRequest, allowDevice: boolean): Principal {
  const header = request.headers.authorization;
  const now = ctx.options.now();
  const isKey = typeof header === 'string' && header.startsWith('Key');
  const client = ctx.clientKey(request);
  if (isKey) {
    const wait = ctx.limits.keyFailures.peek(client, now);
    if (wait > 0) throw new RateLimitedError('key-failures', wait);
  }
  try {
    return authenticate(header, ctx.auth, now, allowDevice);
  } catch (err) {
    if (isKey && err instanceof UnauthorizedError && err.reason === 'wrong-key') ctx.limits.keyFailures.take(client, now);
    throw err;
  }
}

/** Secret-key routes (features, export, delete): server to server only. */
export function requireSecret(ctx: ServerContext, request: FastifyRequest): void {
  authenticateLimited(ctx, request, false);
}

/** Takes one request from the address's bucket; RateLimitedError when it is empty. */
export function limitIp(ctx: ServerContext, request: FastifyRequest): void {
  const wait = ctx.limits.ip.take(ctx.clientKey(request), ctx.options.now());
  if (wait > 0) throw new RateLimitedError('ip', wait);
}

/** POST /v1/tokens: the address's request bucket, then its bucket of new tokens. */
export function limitTokenIssue(ctx: ServerContext, request: FastifyRequest): void {
  limitIp(ctx, request);
  const wait = ctx.limits.tokenIssue.take(ctx.clientKey(request), ctx.options.now());
  if (wait > 0) throw new RateLimitedError('token-issue', wait);
}

/**
 * Device or server; devices are limited per address and per token, servers (secret key) not at
 * all: a relay forwards many devices' batches from one address. A fresh token costs a request
 * from the address's token-issue bucket, so the per-token bucket cannot be dodged for free.
 */
export function requireWriter(ctx: ServerContext, request: FastifyRequest): Principal {
  const principal = authenticateLimited(ctx, request, true);
  if (principal.kind === 'device') {
    limitIp(ctx, request);
    const wait = ctx.limits.token.take(principal.tokenId, ctx.options.now());
    if (wait > 0) throw new RateLimitedError('token', wait);
  }
  return principal;
}
