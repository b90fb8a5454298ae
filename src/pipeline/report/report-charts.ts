import type { Report } from './report-json.ts';
import { renderLineChart } from './svg-line-chart.ts';

/**
 * Training loss per epoch, both models in one chart. The two losses are different objectives
 * (sampled softmax over the batch vs. binary log loss) on very different scales, so each gets
 * its own y axis: on one shared axis the DCN curve is a flat line at the bottom.
 */
export function lossChartSvg(report: Report): string {
  const { twoTower, dcn } = report.curves.loss;
  return renderLineChart({
    title: 'Training loss per epoch',
    xLabel: 'epoch',
    yLabel: 'two-tower loss (sampled softmax)',
    yLabelRight: 'DCN loss (log loss)',
    xIntegers: true,
    series: [
      { name: 'two-tower', x: twoTower.map((_, i) => i + 1), y: twoTower, axis: 'left' },
      { name: 'DCN', x: dcn.map((_, i) => i + 1), y: dcn, axis: 'right' },
    ],
  });
}

/** Recall@K of retrieval on the per-user split: the model against the popularity baseline. */
export function recallChartSvg(report: Report): string {
  const { k, twoTower, popularity } = report.curves.recallAtK;
  return renderLineChart({
    title: 'Retrieval recall@K, per-user split',
    xLabel: 'K (candidates retrieved)',
    yLabel: 'recall@K',
    yFromZero: true,
    series: [
      { name: 'two-tower', x: k, y: twoTower },
      { name: 'popularity', x: k, y: popularity },
    ],
  });
}
