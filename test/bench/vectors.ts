import { scoreRowsF32, topK } from '../../src/core/vectors/index.ts';
import { quantizeRowsInt8 } from '../../src/core/vectors/quantize.ts';
import { scoreRowsInt8 } from '../../src/core/vectors/score.ts';
import { clusteredData, gaussianRows, int8Recall, mulberry32, residualInt8Recall } from '../support/vector-data.ts';
import { measure } from './measure.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

async function timed(key: string, label: string, fn: () => unknown, note?: string): Promise<BenchFigure> {
  const t = await measure(fn, { runs: 30, warmup: 20 });
  return { key, label, value: t.median, unit: 'ms', p95: t.p95, ...(note === undefined ? {} : { note }) };
}

export const vectorsBench: BenchSuite = {
  name: 'vectors',
  async run({ quick }) {
    const dim = 64;
    const rows = quick ? 10_000 : 100_000;
    const size = quick ? '10k' : '100k';
    const rand = mulberry32(1);
    const matrix = gaussianRows(rows, dim, rand);
    const q8 = quantizeRowsInt8(matrix, dim);
    const query = gaussianRows(1, dim, rand);
    const out = new Float32Array(rows);
    const figures: BenchFigure[] = [];

    figures.push(
      await timed(`vectors.score.f32.${size}`, `scoreRowsF32, ${size} × ${dim}`, () =>
        scoreRowsF32(query, matrix, dim, out),
      ),
    );
    figures.push(
      await timed(`vectors.score.int8.${size}`, `scoreRowsInt8, ${size} × ${dim}`, () =>
        scoreRowsInt8(query, q8.values, q8.scales, dim, out),
      ),
    );
    // Top-k over real scores (not random noise) so the heap sees a realistic acceptance rate.
    const scores = scoreRowsF32(query, matrix, dim);
    for (const k of [100, 500]) {
      figures.push(await timed(`vectors.topk.${k}.${size}`, `topK k=${k} over ${size} scores`, () => topK(scores, k)));
    }

    // Recall of int8 against exact float32, at the size the unit test asserts.
    const k = 100;
    const queries = quick ? 20 : 50;
    const g = mulberry32(2);
    const gauss = gaussianRows(20_000, dim, g);
    const gaussQueries = Array.from({ length: queries }, () => gaussianRows(1, dim, g));
    figures.push({
      key: 'vectors.recall.int8.gaussian',
      label: 'int8 recall@100, Gaussian 20k × 64',
      value: int8Recall(gauss, dim, gaussQueries, k),
      unit: 'recall',
    });
    for (const spread of [0.2, 0.05]) {
      const c = clusteredData({ rows: 20_000, dim, clusters: 64, spread, queries, seed: 3 });
      figures.push({
        key: `vectors.recall.int8.clustered.${spread}`,
        label: `int8 recall@100, 64 clusters σ=${spread}`,
        value: int8Recall(c.data, dim, c.queries, k),
        unit: 'recall',
      });
      figures.push({
        key: `vectors.recall.int8-residual.clustered.${spread}`,
        label: `int8 residual recall@100, 64 clusters σ=${spread}`,
        value: residualInt8Recall(c, dim, k),
        unit: 'recall',
        note: 'rows quantised as residuals from their cluster centre',
      });
    }
    return figures;
  },
};
