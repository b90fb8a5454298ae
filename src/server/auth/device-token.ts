/**
 * Device tokens: `v1.<payload>.<signature>`, both base64url; the payload is JSON
 * `{ app, iat, exp, jti }` and the signature HMAC-SHA256 over `v1.<payload>` with a key derived
 * from the server's secret. Stateless: any server holding the secret verifies them, and a
 * random `jti` gives each device its own rate-limit bucket.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.ts';

const VERSION = 'v1';

export interface TokenClaims {
  app: string;
  iat: number;
  exp: number;
  jti: string;
}

/** A key used for tokens only, so the secret itself never signs anything a client holds. */
export function tokenKey(secretKey: string): Buffer {
  return createHmac('sha256', secretKey).update('ondeck device token v1').digest();
}

function sign(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export function issueToken(key: Buffer, app: string, now: number, ttlSeconds: number): { token: string; expiresAt: number } {
  const claims: TokenClaims = { app, iat: now, exp: now + ttlSeconds * 1000, jti: randomBytes(12).toString('base64url') };
  const body = `${VERSION}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return { token: `${body}.${sign(key, body).toString('base64url')}`, expiresAt: claims.exp };
}

/** The claims of a genuine, unexpired token of a still-accepted app; else UnauthorizedError. */
export function verifyToken(key: Buffer, token: string, now: number, appKeys: ReadonlySet<string>): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) {
    throw new UnauthorizedError('malformed', 'the device token is malformed; get one from POST /v1/tokens');
  }
  const body = `${parts[0]}.${parts[1]}`;
  const given = Buffer.from(parts[2]!, 'base64url');
  const expected = sign(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedError('forged', 'the device token signature does not verify');
  }
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    throw new UnauthorizedError('malformed', 'the device token payload is not JSON');
  }
  if (typeof claims.exp !== 'number' || typeof claims.app !== 'string' || typeof claims.jti !== 'string') {
    throw new UnauthorizedError('malformed', 'the device token payload lacks app, exp or jti');
  }
  if (now >= claims.exp) {
    throw new UnauthorizedError('expired', `the device token expired at ${new Date(claims.exp).toISOString()}; get a new one from POST /v1/tokens`);
  }
  if (!appKeys.has(claims.app)) {
    throw new UnauthorizedError('unknown-app', 'the app key of this device token is no longer accepted');
  }
  return claims;
}
