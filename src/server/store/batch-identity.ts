/**
 * What both adapters store to recognise a batch again: a hash of its body (so the same id with
 * another body is a conflict, not a replay) and a hash of a deleted install's id (its tombstone,
 * which need not keep the id itself).
 */
import { createHash } from 'node:crypto';
import type { EventBatch } from '../../core/sync/wire.ts';

/** JSON with object keys sorted, so a device re-serialising the same batch hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the canonical body: mode, install, feed, release and every row. */
export function batchHash(batch: EventBatch): string {
  return createHash('sha256').update(canonical(batch)).digest('hex');
}

/** SHA-256 (hex) of an install id, as its tombstone holds it. */
export function installHash(installId: string): string {
  return createHash('sha256').update(`ondeck install v1\u0000${installId}`).digest('hex');
}
