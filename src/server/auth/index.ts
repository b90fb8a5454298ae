export { authenticate, secretMatches } from './authenticate.ts';
export type { AuthConfig, Principal } from './authenticate.ts';
export { issueToken, tokenKey, verifyToken } from './device-token.ts';
export type { TokenClaims } from './device-token.ts';
export { limitIp, limitTokenIssue, requireSecret, requireWriter } from './guards.ts';
