/** An axis: its domain, rounded out to whole steps, and the tick values inside it. */
export interface AxisTicks {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
  /** Decimals that show every tick exactly, so labels line up and read alike (0.40, 0.45, 0.50). */
  decimals: number;
}

/**
 * "Nice" ticks: the step is 1, 2 or 5 times a power of ten, chosen so that roughly `target` ticks
 * cover [min, max], and the domain is widened to whole steps. Readers compare values against
 * round gridlines; 0.137-wide steps would make them do arithmetic. An empty or one-value range
 * is widened first so the axis still has ticks.
 *
 * `integer` is for counted axes such as epochs: the domain stays exactly [min, max] (epoch 0
 * does not exist, so an axis from 0 would put a blank column before the first point), the step
 * is whole, and 1 when the range is short enough to label every value.
 */
export function niceTicks(min: number, max: number, target: number, options: { integer?: boolean } = {}): AxisTicks {
  let a = Number.isFinite(min) ? min : 0;
  let b = Number.isFinite(max) ? max : 1;
  if (a > b) [a, b] = [b, a];
  if (options.integer) return integerTicks(Math.floor(a), Math.ceil(b), target);
  if (a === b) {
    const pad = a === 0 ? 1 : Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  const step = niceStep((b - a) / Math.max(1, target - 1));
  const lo = Math.floor(a / step + 1e-9) * step;
  const hi = Math.ceil(b / step - 1e-9) * step;
  const ticks: number[] = [];
  // Integer multiples of the step, not repeated addition: no 0.30000000000000004 labels.
  for (let i = Math.round(lo / step); i <= Math.round(hi / step); i++) ticks.push(roundTo(i * step, step));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { lo: roundTo(lo, step), hi: roundTo(hi, step), step, ticks, decimals };
}

function integerTicks(lo: number, hi: number, target: number): AxisTicks {
  if (lo === hi) return { lo: lo - 1, hi: hi + 1, step: 1, ticks: [lo - 1, lo, lo + 1], decimals: 0 };
  const span = hi - lo;
  const step = span <= 12 ? 1 : Math.max(1, niceStep(span / Math.max(1, target - 1)));
  const ticks: number[] = [];
  // The first value is always labelled (epoch 1), then the multiples of the step.
  if (lo % step !== 0) ticks.push(lo);
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return { lo, hi, step, ticks, decimals: 0 };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** Rounds away the float noise of i·step, keeping digits well below the step. */
function roundTo(x: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 3);
  return Number(x.toFixed(Math.min(20, digits)));
}
