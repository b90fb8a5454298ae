export type { Principal } from './authenticate.ts';
export { issueToken } from './device-token.ts';
export { limitTokenIssue, requireSecret, requireWriter } from './guards.ts';
