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

/** JSON.stringify of the keys seen, so each row does not quote its key names again. */
const quotedKeys = new Map<string, string>();

function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 1000) quotedKeys.set(k, q);
  }
  return q;
}

/**
 * canonical() of an object whose values are all strings, numbers, booleans, null or undefined
 * (every event and counter row the schema lets through), or null when it holds anything else:
 * the same text, without the generic path's arrays and closures per row, as a 100-event batch
 * is hashed on every ingest.
 */
function canonicalFlat(o: Record<string, unknown>): string | null {
  const keys = Object.keys(o);
  // Insertion sort: rows have a handful of keys, usually in sorted order already.
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    let text: string;
    if (typeof v === 'string') text = JSON.stringify(v);
    else if (typeof v === 'number') text = Number.isFinite(v) ? String(v) : 'null';
    else if (typeof v === 'boolean' || v === null) text = String(v);
    else return null;
    out += first ? `${quotedKey(k)}:${text}` : `,${quotedKey(k)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/** The fields a wire event may have, sorted as canonical() sorts them. */
const EVENT_KEY_LIST = ['at', 'itemId', 'type', 'watchFraction', 'watchSeconds'];
const EVENT_KEYS: ReadonlySet<string> = new Set(EVENT_KEY_LIST);

/** True for a wire event: own fields among EVENT_KEYS only; at a number, itemId and type strings, watch figures numbers or absent. */
function isPlainEvent(r: unknown): boolean {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  for (const k in o) if (!EVENT_KEYS.has(k) || !Object.hasOwn(o, k)) return false;
  return (
    typeof o['at'] === 'number' &&
    typeof o['itemId'] === 'string' &&
    typeof o['type'] === 'string' &&
    (o['watchFraction'] === undefined || typeof o['watchFraction'] === 'number') &&
    (o['watchSeconds'] === undefined || typeof o['watchSeconds'] === 'number')
  );
}

/** canonical(rows): wire events at once, other rows one by one through canonicalFlat where it applies. */
function canonicalRows(rows: readonly unknown[]): string {
  // Every row a wire event (what the schema lets through): JSON.stringify with the sorted key list
  // writes exactly canonical()'s text (absent fields left out, non-finite numbers as null) natively.
  if (rows.every(isPlainEvent)) return JSON.stringify(rows, EVENT_KEY_LIST);
  let out = '[';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const flat = r !== null && typeof r === 'object' && !Array.isArray(r) ? canonicalFlat(r as Record<string, unknown>) : null;
    out += i > 0 ? `,${flat ?? canonical(r)}` : (flat ?? canonical(r));
  }
  return `${out}]`;
}

/** SHA-256 (hex) of the canonical body: mode, install, feed, release and every row. */
export function batchHash(batch: EventBatch): string {
  return createHash('sha256').update(batchText(batch)).digest('hex');
}

/** canonical(batch), with its rows (events or counts) through canonicalRows. */
function batchText(batch: EventBatch): string {
  const o = batch as unknown as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  let out = '{';
  keys.forEach((k, i) => {
    const v = o[k];
    const text = (k === 'events' || k === 'counts') && Array.isArray(v) ? canonicalRows(v) : canonical(v);
    out += `${i > 0 ? ',' : ''}${quotedKey(k)}:${text}`;
  });
  return `${out}}`;
}

/** The text batchHash digests, and the generic one it must equal (for the test that pins them). */
export const hashedText = { batch: batchText, generic: canonical };

/** SHA-256 (hex) of an install id, as its tombstone holds it. */
export function installHash(installId: string): string {
  return createHash('sha256').update(`ondeck install v1\u0000${installId}`).digest('hex');
}
