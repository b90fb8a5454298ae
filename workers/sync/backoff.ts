/**
 * Retry delays: exponential backoff with full jitter (the delay is uniform in [0, cap), the cap
 * doubling per failure up to a maximum), which spreads the retries of many devices that failed
 * together (a server restart) instead of having them return in waves. A Retry-After from the
 * server (429, 503) is a floor: the device never comes back sooner than it was asked to.
 */
import type { Random } from './noise.ts';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Longest Retry-After honoured. */
  retryAfterMaxMs: number;
}

/** The cap of the delay after `failures` consecutive failures (1 for the first). */
export function backoffCap(failures: number, o: BackoffOptions): number {
  // 2^(failures-1) overflows nothing before the min: the exponent is bounded first.
  return Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
}

/** Milliseconds to wait after `failures` consecutive failures; `retryAfterMs` (or null) from the server. */
export function retryDelay(failures: number, retryAfterMs: number | null, random: Random, o: BackoffOptions): number {
  const jittered = Math.floor(random() * backoffCap(failures, o));
  if (retryAfterMs === null) return jittered;
  return Math.max(Math.min(retryAfterMs, o.retryAfterMaxMs), jittered);
}

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110);
 * null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
