/**
 * Tunables of the report writer, in one place.
 *
 * Colours are the Okabe-Ito palette: distinguishable with the common colour-vision deficiencies
 * and in greyscale print, which matters because the charts compare exactly two series.
 */
export const REPORT_DEFAULTS = Object.freeze({
  /** Every metric in report.md and the terminal summary. */
  significantDigits: 4,
  chart: Object.freeze({
    width: 640,
    height: 360,
    /** Generic families only: an SVG viewed from a file must not fetch fonts. */
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif',
    colors: Object.freeze(['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'] as const),
    /** Roughly this many ticks per axis; the nice-number rounding decides the exact count. */
    targetTicks: 6,
    /** Points are marked with dots up to this many per series; past it the dots become a smear. */
    maxMarkers: 40,
  }),
  /** Width in characters of the text bars in the comparison table of report.md. */
  barWidth: 20,
  /** File names of the charts, inside svgDir. */
  files: Object.freeze({ loss: 'loss.svg', recallAtK: 'recall-at-k.svg' }),
});
