import { formatCount } from '../report/index.ts';

// The text of one progress line, without any terminal control: pure, so tests read it as is.

/** What a line shows; `now - start` is the elapsed time. */
export interface ProgressState {
  name: string;
  count: number;
  total: number | undefined;
  info: string | undefined;
  startMs: number;
  nowMs: number;
}

/** "4.4s", "1m02s", "1h03m": short, because it sits on a line with much else. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Items per second to 3 significant digits, with k/M: "225/s", "12.3k/s"; "—/s" before any time passed. */
export function formatRate(count: number, ms: number): string {
  if (ms <= 0) return '—/s';
  const r = (count * 1000) / ms;
  if (r >= 1e6) return `${Number((r / 1e6).toPrecision(3))}M/s`;
  if (r >= 1e3) return `${Number((r / 1e3).toPrecision(3))}k/s`;
  return `${Number(r.toPrecision(3))}/s`;
}

/** "450/1,000 45%" with a total, "450" without. */
export function formatCountOf(count: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return formatCount(count);
  const pct = Math.min(100, Math.floor((count / total) * 100));
  return `${formatCount(count)}/${formatCount(total)} ${pct}%`;
}

/** A bar of `width` cells; partial cells use the eighth blocks, so slow stages still move. */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const partials = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  const used = full + (partial > 0 ? 1 : 0);
  return '█'.repeat(full) + (partial > 0 ? partials[partial]! : '') + '░'.repeat(width - used);
}

/** The TTY line: name, bar (with a total), count/total, rate, elapsed, info; cut to `columns - 1`. */
export function ttyLine(s: ProgressState, options: { nameWidth: number; barWidth: number; columns: number; mark: string }): string {
  const elapsed = s.nowMs - s.startMs;
  const parts = [`${options.mark} ${s.name.padEnd(options.nameWidth)}`];
  if (s.total !== undefined && s.total > 0) parts.push(renderBar(s.count / s.total, options.barWidth));
  parts.push(formatCountOf(s.count, s.total), formatRate(s.count, elapsed), formatElapsed(elapsed));
  if (s.info) parts.push(s.info);
  // A line that wraps breaks the carriage-return redraw (the next \r returns to the wrapped
  // half), so it is cut instead; the last column stays empty for terminals that wrap early.
  return truncate(parts.join('  '), options.columns - 1);
}

/** The non-TTY line: "[name] 450/1,000 45%, 225/s, 2.0s, info". */
export function plainLine(s: ProgressState): string {
  const elapsed = s.nowMs - s.startMs;
  const parts = [formatCountOf(s.count, s.total), formatRate(s.count, elapsed), formatElapsed(elapsed)];
  if (s.info) parts.push(s.info);
  return `[${s.name}] ${parts.join(', ')}`;
}

function truncate(line: string, columns: number): string {
  const chars = [...line];
  return chars.length <= columns ? line : `${chars.slice(0, Math.max(0, columns - 1)).join('')}…`;
}
