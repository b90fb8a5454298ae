/**
 * What both adapters refuse before writing, so they hold the same things: strings with NUL
 * (Postgres text cannot hold it) or lone UTF-16 surrogates (stored as U+FFFD by one adapter, so
 * a later lookup of the id misses), and days that are no calendar date (Postgres `date` refuses
 * 2023-02-31, SQLite text would keep it), and counter values or watch figures that are no finite
 * number (they are summed into shared day counters, which NaN would poison). The server's schema refuses them first, with the same
 * field paths; this is the store's own guard for callers that are not the server.
 */
import type { EventBatch } from '../../core/sync/wire.ts';
import { InvalidBatchError } from './errors.ts';

// With the `u` flag a paired surrogate is one code point, so only lone halves match.
const UNSTORABLE = /[\u0000\ud800-\udfff]/u;

/** True for `YYYY-MM-DD` naming a real day (leap years included) from 0001 to 9999. */
export function isCalendarDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

/** Counters are summed into double columns: NaN or ±Infinity would poison every later sum. */
function finite(field: string, value: unknown, optional: boolean): void {
  if (optional && value == null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidBatchError(field, 'must be a finite number');
}

const COUNT_NUMBERS = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips', 'watchSeconds', 'watchFractionSum'] as const;

function text(field: string, value: string | null | undefined): void {
  if (typeof value === 'string' && UNSTORABLE.test(value)) {
    throw new InvalidBatchError(field, 'must not contain NUL characters or unpaired UTF-16 surrogates');
  }
}

export function checkStorable(batch: EventBatch): void {
  text('batchId', batch.batchId);
  text('feed', batch.feed);
  text('releaseId', batch.releaseId);
  if (batch.mode === 'pseudonymous') {
    text('installId', batch.installId);
    batch.events.forEach((e, i) => {
      text(`events[${i}].itemId`, e.itemId);
      if (!Number.isFinite(e.at)) throw new InvalidBatchError(`events[${i}].at`, 'must be a finite number of ms');
      finite(`events[${i}].watchSeconds`, e.watchSeconds, true);
      finite(`events[${i}].watchFraction`, e.watchFraction, true);
    });
  } else {
    batch.counts.forEach((c, i) => {
      text(`counts[${i}].itemId`, c.itemId);
      if (!isCalendarDay(c.day)) throw new InvalidBatchError(`counts[${i}].day`, 'must be a calendar day written YYYY-MM-DD');
      for (const k of COUNT_NUMBERS) finite(`counts[${i}].${k}`, c[k], false);
    });
  }
}
