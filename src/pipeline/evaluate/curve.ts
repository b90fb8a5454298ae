import { EvaluationInputError } from './errors.ts';

export interface CurvePoint {
  k: number;
  value: number;
}

/**
 * The `<metric>@K` entries of a report as points sorted by K, for the report's plot:
 * `metricAtKCurve(evaluateRetrieval(split, catalog, scoreAll, EVALUATE_DEFAULTS.curveKs))`.
 * Throws when the report has no such entry (a misspelt metric would otherwise plot nothing).
 */
export function metricAtKCurve(report: object, metric = 'recall'): CurvePoint[] {
  const prefix = `${metric}@`;
  const points: CurvePoint[] = [];
  for (const [key, value] of Object.entries(report)) {
    if (!key.startsWith(prefix) || typeof value !== 'number') continue;
    const k = Number(key.slice(prefix.length));
    if (Number.isInteger(k) && k >= 1) points.push({ k, value });
  }
  if (points.length === 0) throw new EvaluationInputError('metric', `the report has no "${prefix}K" entries`);
  return points.sort((a, b) => a.k - b.k);
}
