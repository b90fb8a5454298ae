import { DATA_DEFAULTS } from './defaults.ts';

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// Date, optionally a time (T or space), optionally fractional seconds, optionally a zone.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Why a value is not a timestamp, phrased to finish "cannot read … as a timestamp: ". */
export type TimestampProblem = string;

/**
 * Milliseconds since the epoch from unix seconds, unix milliseconds or an ISO 8601 string, or
 * a problem description. Numbers (and numeric strings) are told apart by magnitude, see
 * DATA_DEFAULTS.secondsBelow. An ISO string without a zone is read as UTC, not local time, so
 * the same file gives the same dataset on every machine.
 */
export function parseTimestamp(value: string | number): number | TimestampProblem {
  if (typeof value === 'number') return fromNumber(value);
  const text = value.trim();
  if (text === '') return 'it is empty';
  if (NUMERIC.test(text)) return fromNumber(Number(text));
  const m = ISO_8601.exec(text);
  if (m === null) {
    return 'expected unix seconds, unix milliseconds or ISO 8601 (e.g. 2024-03-01T12:00:00Z)';
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${normalizeZone(zone)}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2024-02-30 over to March in some engines and rejects it in others: refuse
  // any date whose fields do not survive the round trip.
  if (Number.isNaN(ms) || !sameCalendarDay(ms, zone, Number(y), Number(mo), Number(d))) {
    return 'not a valid date or time';
  }
  return ms;
}

function fromNumber(n: number): number | TimestampProblem {
  if (!Number.isFinite(n)) return 'not a finite number';
  if (n < 0) return 'negative; expected a time after 1970';
  if (n < DATA_DEFAULTS.secondsBelow) return Math.round(n * 1000);
  if (n < DATA_DEFAULTS.millisecondsBelow) return Math.round(n);
  return 'too large for unix milliseconds (micro- or nanoseconds?); convert to seconds or milliseconds';
}

function normalizeZone(zone: string | undefined): string {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 'Z';
  const sign = zone[0];
  const digits = zone.slice(1).replace(':', '');
  return `${sign}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

function sameCalendarDay(ms: number, zone: string | undefined, y: number, mo: number, d: number): boolean {
  // Check the calendar fields in the zone they were written in.
  const offsetMin = zone === undefined || zone.toUpperCase() === 'Z' ? 0 : zoneMinutes(normalizeZone(zone));
  const local = new Date(ms + offsetMin * 60_000);
  return local.getUTCFullYear() === y && local.getUTCMonth() + 1 === mo && local.getUTCDate() === d;
}

function zoneMinutes(zone: string): number {
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}
