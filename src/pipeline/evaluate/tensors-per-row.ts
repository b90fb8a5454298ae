import {
  buildFeatureTensors,
  tensorLayout,
  type FeatureRow,
  type FeatureSpec,
  type FeatureTensor,
} from '../../core/features/index.ts';
import { EvaluationInputError } from './errors.ts';

/**
 * buildFeatureTensors with a `now` per row. A training or test example is seen as of its own
 * event time (history recency is measured from the moment of the event, as the device
 * measures it from the moment of the feed), while core's builder takes one `now` per call.
 *
 * Only history features read `now` (recency weighting in encodeHistory), so every other
 * feature is built in one call over all rows; history features are built once per distinct
 * `now` (rows grouped by time, stable) and scattered back to their rows. The result is
 * exactly what row-by-row calls would give, in tensorLayout order.
 */
export function buildTensorsPerRow(
  spec: FeatureSpec,
  rows: readonly FeatureRow[],
  nows: ArrayLike<number>,
): Record<string, FeatureTensor> {
  const n = rows.length;
  if (nows.length !== n) throw new EvaluationInputError('nows.length', `must equal rows.length (${n}), got ${nows.length}`);
  for (let r = 0; r < n; r++) {
    if (!Number.isFinite(nows[r]!)) throw new EvaluationInputError(`nows[${r}]`, `must be a finite time in milliseconds, got ${nows[r]}`);
  }
  // History recency and item ages depend on `now`: those are built per moment.
  const isTimed = (f: FeatureSpec['features'][number]) => f.kind === 'history' || f.kind === 'history-share' || ('ageDays' in f && f.ageDays === true);
  const timed = spec.features.filter(isTimed).map((f) => f.name);
  const timeless = spec.features.filter((f) => !isTimed(f)).map((f) => f.name);
  const built: Record<string, FeatureTensor> =
    timeless.length > 0 ? buildFeatureTensors(spec, rows, { now: n > 0 ? nows[0]! : 0, only: timeless }) : {};

  if (timed.length > 0) {
    const layout = tensorLayout(spec).filter((t) => timed.includes(t.feature));
    for (const t of layout) {
      const data = t.type === 'int32' ? new Int32Array(n * t.width) : new Float32Array(n * t.width);
      built[t.tensor] = { type: t.type, dims: [n, t.width], data };
    }
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => nows[a]! - nows[b]! || a - b);
    for (let start = 0; start < n; ) {
      const now = nows[order[start]!]!;
      let end = start + 1;
      while (end < n && nows[order[end]!]! === now) end++;
      const members = order.subarray(start, end);
      const group = buildFeatureTensors(spec, Array.from(members, (r) => rows[r]!), { now, only: timed });
      for (const t of layout) {
        const src = group[t.tensor]!.data;
        const dst = built[t.tensor]!.data;
        const w = t.width;
        for (let g = 0; g < members.length; g++) dst.set(src.subarray(g * w, (g + 1) * w), members[g]! * w);
      }
      start = end;
    }
  }

  const out: Record<string, FeatureTensor> = {};
  for (const t of tensorLayout(spec)) out[t.tensor] = built[t.tensor]!;
  return out;
}
