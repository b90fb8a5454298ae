/** Route guards: who may call, and how often. */
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.ts';
import { RateLimitedError } from '../errors.ts';
import { authenticate, type Principal } from './authenticate.ts';

/** Secret-key routes (features, export, delete): server to server only. */
export function requireSecret(ctx: ServerContext, request: FastifyRequest): void {
  authenticate(request.headers.authorization, ctx.auth, ctx.options.now(), false);
}

/** Takes one request from the address's bucket; RateLimitedError when it is empty. */
export function limitIp(ctx: ServerContext, request: FastifyRequest): void {
  const wait = ctx.limits.ip.take(request.ip, ctx.options.now());
  if (wait > 0) throw new RateLimitedError('ip', wait);
}

/**
 * Device or server; devices are limited per address and per token, servers (secret key) not at
 * all: a relay forwards many devices' batches from one address.
 */
export function requireWriter(ctx: ServerContext, request: FastifyRequest): Principal {
  const principal = authenticate(request.headers.authorization, ctx.auth, ctx.options.now(), true);
  if (principal.kind === 'device') {
    limitIp(ctx, request);
    const wait = ctx.limits.token.take(principal.tokenId, ctx.options.now());
    if (wait > 0) throw new RateLimitedError('token', wait);
  }
  return principal;
}
