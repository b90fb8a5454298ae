/** Reads `Authorization` into who is calling: a device (token) or a server (secret key). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.ts';
import { verifyToken } from './device-token.ts';

export type Principal = { kind: 'device'; tokenId: string; app: string } | { kind: 'secret' };

export interface AuthConfig {
  tokenKey: Buffer;
  secretKey: string;
  appKeys: ReadonlySet<string>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares through fixed-length digests, so neither length nor content leaks through timing. */
export function secretMatches(given: string, secret: string): boolean {
  return timingSafeEqual(digest(given), digest(secret));
}

export function authenticate(header: string | undefined, config: AuthConfig, now: number, allowDevice: boolean): Principal {
  if (header === undefined || header === '') {
    throw new UnauthorizedError('missing', allowDevice ? 'missing Authorization: use "Bearer <device token>" or "Key <secret key>"' : 'missing Authorization: use "Key <secret key>"');
  }
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'Key') {
    if (!secretMatches(value, config.secretKey)) throw new UnauthorizedError('wrong-key', 'the secret key is wrong');
    return { kind: 'secret' };
  }
  if (scheme === 'Bearer' && allowDevice) {
    const claims = verifyToken(config.tokenKey, value, now, config.appKeys);
    return { kind: 'device', tokenId: claims.jti, app: claims.app };
  }
  if (scheme === 'Bearer') throw new UnauthorizedError('device-token', 'this route needs the secret key ("Key <secret key>"), not a device token');
  throw new UnauthorizedError('malformed', `unknown Authorization scheme "${scheme.slice(0, 20)}"; use "Bearer <device token>" or "Key <secret key>"`);
}
