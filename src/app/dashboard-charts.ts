/**
 * The dashboard's charts, drawn by uPlot: a time series (events per day, release markers) and a
 * categorical bar chart (per feed, per feature). Small wrappers so the page only says what to draw.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const AXIS = { stroke: '#9aa3b2', grid: { stroke: 'rgba(255,255,255,0.07)', width: 1 }, ticks: { stroke: 'rgba(255,255,255,0.15)', width: 1 } };
const HEIGHT = 230;
const DAY_S = 86_400;

export const EVENT_COLORS: Readonly<Record<string, string>> = Object.freeze({
  impression: '#7aa2f7',
  click: '#ff5a5f',
  watch: '#3ecf8e',
  like: '#f472b6',
  hide: '#f5a524',
  skip: '#a78bfa',
});

export interface Marker {
  /** Seconds since the epoch. */
  at: number;
  label: string;
  current: boolean;
}

/** Vertical dashed lines at given x values (release times), labelled at the top. */
function markersPlugin(markers: readonly Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { top, height, left, width } = u.bbox;
        ctx.save();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        // uPlot leaves its axis text settings on the context.
        ctx.textAlign = 'left';
        ctx.textBaseline = 'alphabetic';
        for (const m of markers) {
          const x = Math.round(u.valToPos(m.at, 'x', true));
          if (x < left || x > left + width) continue;
          ctx.strokeStyle = m.current ? '#3ecf8e' : 'rgba(255,255,255,0.35)';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          // Right of the line, or left of it where the label would leave the plot.
          const w = ctx.measureText(m.label).width;
          const pad = 4 * devicePixelRatio;
          ctx.fillText(m.label, x + pad + w > left + width ? x - pad - w : x + pad, top + 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

export interface TimeSeries {
  label: string;
  values: number[];
  color: string;
}

/** Lines over UTC days; `days` in seconds since the epoch, one value per day in each series. */
export function timeChart(el: HTMLElement, days: number[], series: TimeSeries[], markers: readonly Marker[]): uPlot {
  const opts: uPlot.Options = {
    width: Math.max(280, el.clientWidth),
    height: HEIGHT,
    plugins: [markersPlugin(markers)],
    scales: {
      // Half a day of margin each side: a single day (a fresh install) still gets a readable axis.
      x: { time: true, range: [days[0]! - DAY_S / 2, days[days.length - 1]! + DAY_S / 2] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [{ ...AXIS }, { ...AXIS, size: 50 }],
    series: [
      { label: 'Day', value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
      ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 6, fill: s.color } })),
    ],
  };
  return new uPlot(opts, [days, ...series.map((s) => s.values)], el);
}

export interface BarSeries {
  label: string;
  /** One per category; null leaves the slot empty (for series that colour a subset). */
  values: Array<number | null>;
  color: string;
}

export interface BarOptions {
  format: (v: number) => string;
  /** The y axis reaches at least this far, so an all-zero chart still has a readable scale. */
  minTop: number;
  /** Horizontal reference lines, e.g. the PSI thresholds. */
  lines?: Array<{ value: number; label: string }>;
}

/** Bars over categories (feeds, features): x is the index, the axis shows the names. */
export function barChart(el: HTMLElement, categories: string[], series: BarSeries[], o: BarOptions): uPlot {
  const bars = uPlot.paths.bars!({ size: [0.6, 80], radius: 0.15 });
  const top = Math.max(...series.flatMap((s) => s.values.map((v) => v ?? 0)), ...(o.lines ?? []).map((l) => l.value * 1.2), o.minTop);
  const refLines: uPlot.Plugin = {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        const { left, width } = u.bbox;
        ctx.save();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'alphabetic';
        ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.strokeStyle = ctx.fillStyle = 'rgba(255,255,255,0.45)';
        let lastLabelY = Infinity;
        for (const l of o.lines ?? []) {
          const y = Math.round(u.valToPos(l.value, 'y', true));
          ctx.beginPath();
          ctx.moveTo(left, y);
          ctx.lineTo(left + width, y);
          ctx.stroke();
          // Lines squeezed together by a tall scale keep one label, not an unreadable pile.
          if (Math.abs(lastLabelY - y) < 14 * devicePixelRatio) continue;
          ctx.fillText(l.label, left + width - 4 * devicePixelRatio, y - 4 * devicePixelRatio);
          lastLabelY = y;
        }
        ctx.restore();
      },
    },
  };
  const opts: uPlot.Options = {
    width: Math.max(280, el.clientWidth),
    height: HEIGHT,
    plugins: [refLines],
    cursor: { points: { show: false } },
    // A legend names series; one series is named by the panel's title already.
    legend: { show: series.length > 1 },
    scales: { x: { time: false, range: [-0.5, categories.length - 0.5] }, y: { range: [0, top * 1.15] } },
    axes: [
      {
        ...AXIS,
        splits: () => categories.map((_, i) => i),
        // Feature names are long (event.watchFraction): break after the scope.
        values: (_u, splits) => splits.map((i) => (categories[i] ?? '').replace('.', '.\n')),
        size: 52,
        gap: 6,
      },
      { ...AXIS, size: 64, values: (_u, splits) => splits.map((v) => o.format(v)) },
    ],
    series: [
      { label: 'Name', value: (_u, v) => (v == null ? '–' : (categories[v] ?? '')) },
      ...series.map((s) => ({
        label: s.label,
        fill: s.color,
        stroke: s.color,
        width: 0,
        paths: bars,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v == null ? '–' : o.format(v)),
      })),
    ],
  };
  const xs = categories.map((_, i) => i);
  return new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
}
