import { REPORT_DEFAULTS } from './defaults.ts';
import { niceTicks, type AxisTicks } from './ticks.ts';

// A static SVG line chart: a string, no DOM, no script, no external font, so report.md can link
// it and any viewer (GitHub, an editor preview, a browser from file://) shows the same picture.
// Written by hand because the npm chart libraries either need a DOM (or a DOM shim) or are a
// whole visualisation grammar; the report needs two small charts.

export interface ChartSeries {
  name: string;
  x: readonly number[];
  /** One per x; null leaves a gap (the line breaks there). */
  y: readonly (number | null)[];
  /** Series on the right axis get their own scale; use it for values in different units. */
  axis?: 'left' | 'right';
  color?: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Label of the right axis; drawn only when some series uses it. */
  yLabelRight?: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
  /** Start the y axis at 0 (recall: the distance from 0 is the point); else fit the data. */
  yFromZero?: boolean;
  /** Only whole-number x ticks (epochs). */
  xIntegers?: boolean;
}

interface Scale {
  ticks: AxisTicks;
  at: (value: number) => number;
}

const C = REPORT_DEFAULTS.chart;
const FONT_SIZE = 12;
const AXIS_COLOR = '#333';
const GRID_COLOR = '#e4e4e4';

/** The chart as a standalone SVG document (UTF-8, no XML prolog needed). */
export function renderLineChart(spec: LineChartSpec): string {
  const width = spec.width ?? C.width;
  const height = spec.height ?? C.height;
  const series = spec.series.map((s, i) => ({ ...s, color: s.color ?? C.colors[i % C.colors.length]! }));
  const hasRight = series.some((s) => s.axis === 'right');
  const plot = { left: 64, top: 64, right: width - (hasRight ? 64 : 24), bottom: height - 52 };

  const xs = series.flatMap((s) => s.x.filter((x, i) => Number.isFinite(x) && isValue(s.y[i])));
  const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), C.targetTicks, { integer: spec.xIntegers ?? false });
  // A tight (integer) x domain puts the first and last points on the frame: inset them a little.
  const inset = spec.xIntegers ? 12 : 0;
  const xScale = linear(xTicks, plot.left + inset, plot.right - inset);
  const yScaleOf = (axis: 'left' | 'right'): Scale => {
    const ys = series
      .filter((s) => (s.axis ?? 'left') === axis)
      .flatMap((s) => s.y.filter(isValue));
    const lo = Math.min(...ys, ...(spec.yFromZero ? [0] : []));
    const hi = Math.max(...ys, ...(spec.yFromZero ? [0] : []));
    return linear(niceTicks(lo, hi, C.targetTicks), plot.bottom, plot.top);
  };
  const left = yScaleOf('left');
  const right = hasRight ? yScaleOf('right') : null;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `role="img" aria-label="${esc(spec.title)}" font-family="${esc(C.fontFamily)}" font-size="${FONT_SIZE}">`,
    `<title>${esc(spec.title)}</title>`,
    // An opaque background: a transparent SVG with dark text vanishes in a dark-mode viewer.
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="600" fill="#111">${esc(spec.title)}</text>`,
  );

  // Gridlines first, so lines and axes draw over them.
  out.push(`<g stroke="${GRID_COLOR}" stroke-width="1">`);
  for (const t of left.ticks.ticks) out.push(hLine(plot.left, plot.right, left.at(t)));
  out.push('</g>');

  out.push(`<g stroke="${AXIS_COLOR}" stroke-width="1" fill="none">`);
  out.push(hLine(plot.left, plot.right, plot.bottom), vLine(plot.left, plot.top, plot.bottom));
  if (right) out.push(vLine(plot.right, plot.top, plot.bottom));
  for (const t of xTicks.ticks) out.push(vLine(xScale.at(t), plot.bottom, plot.bottom + 5));
  for (const t of left.ticks.ticks) out.push(hLine(plot.left - 5, plot.left, left.at(t)));
  if (right) for (const t of right.ticks.ticks) out.push(hLine(plot.right, plot.right + 5, right.at(t)));
  out.push('</g>');

  out.push(`<g fill="${AXIS_COLOR}">`);
  for (const t of xTicks.ticks) {
    out.push(text(xScale.at(t), plot.bottom + 19, tickLabel(t, xTicks), 'middle'));
  }
  for (const t of left.ticks.ticks) out.push(text(plot.left - 8, left.at(t) + 4, tickLabel(t, left.ticks), 'end'));
  if (right) for (const t of right.ticks.ticks) out.push(text(plot.right + 8, right.at(t) + 4, tickLabel(t, right.ticks), 'start'));
  out.push(text((plot.left + plot.right) / 2, height - 12, spec.xLabel, 'middle', 'font-weight="600"'));
  const middle = (plot.top + plot.bottom) / 2;
  // With two axes, each label takes its series' colour, so the reader knows which scale is whose.
  const leftColor = hasRight ? soleColor(series, 'left') : undefined;
  out.push(rotatedLabel(16, middle, spec.yLabel, leftColor));
  if (right) out.push(rotatedLabel(width - 12, middle, spec.yLabelRight ?? '', soleColor(series, 'right')));
  out.push('</g>');

  if (xs.length === 0) {
    out.push(text((plot.left + plot.right) / 2, middle, 'no data', 'middle', 'fill="#888"'));
  }

  for (const s of series) {
    const scale = s.axis === 'right' && right ? right : left;
    const points = s.x.map((x, i) => [x, s.y[i]] as const);
    const d = pathData(points, xScale.at, scale.at);
    out.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.25" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    if (s.x.length <= C.maxMarkers) {
      out.push(`<g fill="${s.color}">`);
      for (const [x, y] of points) {
        if (isValue(y) && Number.isFinite(x)) out.push(`<circle cx="${r2(xScale.at(x))}" cy="${r2(scale.at(y))}" r="3"/>`);
      }
      out.push('</g>');
    }
  }

  out.push(legend(series, hasRight, plot.left, 44));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function isValue(y: number | null | undefined): y is number {
  return y !== null && y !== undefined && Number.isFinite(y);
}

function linear(ticks: AxisTicks, from: number, to: number): Scale {
  const span = ticks.hi - ticks.lo || 1;
  return { ticks, at: (value) => from + ((value - ticks.lo) / span) * (to - from) };
}

/** "M x y L x y …", starting a new subpath after each gap, so one series stays one <path>. */
function pathData(
  points: readonly (readonly [number, number | null | undefined])[],
  atX: (x: number) => number,
  atY: (y: number) => number,
): string {
  const parts: string[] = [];
  let pen: 'up' | 'down' = 'up';
  for (const [x, y] of points) {
    if (!isValue(y) || !Number.isFinite(x)) {
      pen = 'up';
      continue;
    }
    parts.push(`${pen === 'up' ? 'M' : 'L'}${r2(atX(x))} ${r2(atY(y))}`);
    pen = 'down';
  }
  return parts.join(' ');
}

function legend(series: readonly (ChartSeries & { color: string })[], hasRight: boolean, x0: number, y: number): string {
  const out = [`<g font-size="${FONT_SIZE}" fill="#222">`];
  let x = x0;
  for (const s of series) {
    const label = hasRight ? `${s.name} (${s.axis === 'right' ? 'right' : 'left'} axis)` : s.name;
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(text(x + 28, y, label, 'start'));
    // No text measuring without a DOM: ~0.6 em per character is close for these sans fonts.
    x += 28 + Math.ceil(label.length * FONT_SIZE * 0.6) + 20;
  }
  out.push('</g>');
  return out.join('\n');
}

function soleColor(series: readonly (ChartSeries & { color: string })[], axis: 'left' | 'right'): string | undefined {
  const on = series.filter((s) => (s.axis ?? 'left') === axis);
  return on.length === 1 ? on[0]!.color : undefined;
}

function tickLabel(value: number, ticks: AxisTicks): string {
  return value.toFixed(Math.min(20, ticks.decimals));
}

function text(x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end', extra = ''): string {
  return `<text x="${r2(x)}" y="${r2(y)}" text-anchor="${anchor}"${extra ? ` ${extra}` : ''}>${esc(content)}</text>`;
}

function rotatedLabel(x: number, y: number, content: string, color: string | undefined): string {
  const fill = color ? ` fill="${color}"` : '';
  return `<text x="${r2(x)}" y="${r2(y)}" text-anchor="middle" font-weight="600"${fill} transform="rotate(-90 ${r2(x)} ${r2(y)})">${esc(content)}</text>`;
}

function hLine(x1: number, x2: number, y: number): string {
  return `<line x1="${r2(x1)}" y1="${r2(y)}" x2="${r2(x2)}" y2="${r2(y)}"/>`;
}

function vLine(x: number, y1: number, y2: number): string {
  return `<line x1="${r2(x)}" y1="${r2(y1)}" x2="${r2(x)}" y2="${r2(y2)}"/>`;
}

function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
