import { REPORT_DEFAULTS } from './defaults.ts';

// Number formatting shared by report.md and the terminal summary, so both print the same
// digits for the same metric.

/**
 * A metric to 4 significant digits, trailing zeros kept (0.5000, not 0.5: the zeros say how
 * precise the number is). Large values are written out (12350, not 1.235e+4); tiny ones keep
 * the exponent. A missing metric (null: undefined for this data, e.g. no cold users) is "—".
 */
export function formatMetric(x: number | null | undefined, digits = REPORT_DEFAULTS.significantDigits): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return (0).toPrecision(digits);
  const s = x.toPrecision(digits);
  if (!s.includes('e')) return s;
  // toPrecision switches to exponent form once the exponent reaches `digits`; a plain integer
  // reads better up to a point.
  return Math.abs(x) >= 1 && Math.abs(x) < 1e15 ? String(Number(s)) : s;
}

/** model / baseline as "2.345×"; "—" when either is missing or the baseline is 0. */
export function formatRatio(model: number | null | undefined, baseline: number | null | undefined): string {
  const r = ratio(model, baseline);
  return r === null ? '—' : `${formatMetric(r)}×`;
}

export function ratio(model: number | null | undefined, baseline: number | null | undefined): number | null {
  if (model === null || model === undefined || baseline === null || baseline === undefined) return null;
  if (!Number.isFinite(model) || !Number.isFinite(baseline) || baseline === 0) return null;
  return model / baseline;
}

/** A count with thousands separators, fixed to en-US so reports do not depend on the machine's locale. */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : formatMetric(n);
}

/** Seconds for humans: "0.4123 s", "12.35 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${formatMetric(seconds)} s`;
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(s).padStart(2, '0')} s`;
}

/** A fraction as a percentage to 3 significant digits: 0.4567 -> "45.7%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
