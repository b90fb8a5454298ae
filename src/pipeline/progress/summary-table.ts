import { displayWidth, formatMetric, formatRatio, padEnd, padStart } from '../report/index.ts';

/**
 * One line of the end-of-build table; `headlineRows(report)` produces these: retrieval recall@100
 * against the better of EASE and popularity, ranking AUC against logistic regression, and the
 * served feed's NDCG@10 against the best baseline feed and against most-popular. The label
 * names both sides, so the model and baseline columns need no names of their own.
 */
export interface SummaryRow {
  metric: string;
  model: number | null;
  baseline: number | null;
  /** Marks the metric with ↓ so a ratio below 1 reads as the win it is. */
  lowerIsBetter?: boolean;
}

/**
 * The table `ondeck build` prints at the end: metric, model, baseline, model/baseline, numbers
 * to 4 significant digits and right-aligned. Drawn with box characters rather than a table
 * library: fixed columns, no colours, no wrapping, so ~30 lines do it.
 */
export function renderSummaryTable(rows: readonly SummaryRow[], options: { title?: string } = {}): string {
  const header = ['metric', 'model', 'baseline', 'ratio'];
  const body = rows.map((r) => [
    r.lowerIsBetter ? `${r.metric} ↓` : r.metric,
    formatMetric(r.model),
    formatMetric(r.baseline),
    formatRatio(r.model, r.baseline),
  ]);
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...body.map((cells) => displayWidth(cells[i]!))));
  const rule = (left: string, mid: string, right: string): string =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;
  // First column (the label) left-aligned, numbers right-aligned so their digits line up.
  const line = (cells: readonly string[]): string =>
    `│ ${cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join(' │ ')} │`;
  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(rule('┌', '┬', '┐'), line(header), rule('├', '┼', '┤'), ...body.map(line), rule('└', '┴', '┘'));
  return `${out.join('\n')}\n`;
}
