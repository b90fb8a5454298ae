import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { REPORT_DEFAULTS } from './defaults.ts';
import { formatCount, formatDuration, formatMetric, formatPercent, formatRatio } from './format.ts';
import { LOWER_IS_BETTER, headlineRows, isRateMetric, modelName, type HeadlineRow } from './headline.ts';
import { markdownTable } from './markdown-table.ts';
import { lossChartSvg, recallChartSvg } from './report-charts.ts';
import type { CohortResults, Metric, Report, StageSeconds } from './report-json.ts';

export interface ReportMarkdownOptions {
  /** Where the SVG charts are written (created if missing). */
  svgDir: string;
  /** How report.md links to svgDir; default: its last path segment, i.e. report.md sits in svgDir's parent. */
  svgHref?: string;
}

/**
 * report.md for humans: the same numbers as report.json, every metric to 4 significant digits,
 * each model beside its baseline with the ratio, both protocols spelled out. Writes the charts
 * into `svgDir` and links them; returns the markdown.
 */
export async function renderReportMarkdown(report: Report, options: ReportMarkdownOptions): Promise<string> {
  const href = (options.svgHref ?? basename(options.svgDir)).replace(/\/+$/, '');
  const files = REPORT_DEFAULTS.files;
  await mkdir(options.svgDir, { recursive: true });
  await writeFile(join(options.svgDir, files.loss), lossChartSvg(report));
  await writeFile(join(options.svgDir, files.recallAtK), recallChartSvg(report));
  const link = (file: string): string => (href ? `${href}/${file}` : file);

  const sections = [
    `# ondeck training report: ${report.dataset.name}`,
    datasetLine(report),
    summarySection(report),
    protocolsSection(report),
    retrievalSection(report, link(files.recallAtK)),
    rankingSection(report),
    feedSection(report),
    trainingSection(report, link(files.loss)),
    globalSection(report),
    timingsSection(report.seconds),
    settingsSection(report.settings),
  ];
  return `${sections.join('\n\n')}\n`;
}

function datasetLine({ dataset: d }: Report): string {
  return (
    `${formatCount(d.interactions)} interactions (${formatCount(d.positives)} positive, ${d.feedback} feedback) ` +
    `from ${formatCount(d.users)} users on ${formatCount(d.items)} items in ${formatCount(d.categories)} categories.`
  );
}

function summarySection(report: Report): string {
  const rows = headlineRows(report);
  return [
    '## Summary',
    'Per-user temporal split (the headline protocol). Ratio = model / baseline; above 1 is the model ' +
      'winning, except for log loss, where below 1 is.',
    headlineTable(rows),
    comparisonBars(rows),
  ].join('\n\n');
}

function headlineTable(rows: readonly HeadlineRow[]): string {
  return markdownTable(
    ['stage', 'metric', 'model', 'value', 'baseline', 'value', 'ratio'],
    rows.map((r) => [
      r.stage,
      r.lowerIsBetter ? `${r.metricKey} ↓` : r.metricKey,
      r.modelName,
      formatMetric(r.model),
      r.baselineName,
      formatMetric(r.baseline),
      formatRatio(r.model, r.baseline),
    ]),
    ['left', 'left', 'left', 'right', 'left', 'right', 'right'],
  );
}

/**
 * Text bars scaled per row to the larger of the two values, in code spans so they line up in a
 * monospace font: the eye compares lengths faster than it compares 0.1234 with 0.0987.
 */
function comparisonBars(rows: readonly HeadlineRow[]): string {
  const w = REPORT_DEFAULTS.barWidth;
  const bar = (x: Metric, max: number): string => {
    const filled = x === null || max <= 0 ? 0 : Math.round((Math.max(0, x) / max) * w);
    return `\`${'█'.repeat(filled)}${'░'.repeat(w - filled)}\` ${formatMetric(x)}`;
  };
  return markdownTable(
    ['metric', 'model', 'baseline'],
    rows.map((r) => {
      const max = Math.max(r.model ?? 0, r.baseline ?? 0);
      return [`${r.metricKey} (${r.modelName} vs ${r.baselineName})`, bar(r.model, max), bar(r.baseline, max)];
    }),
  );
}

function protocolsSection(report: Report): string {
  const s = report.split;
  const g = report.globalSplit.split;
  const warmCold = g.warmTestUsers + g.coldTestUsers;
  return [
    '## Protocols',
    '### Per-user temporal split (headline)',
    `> ${s.definition}`,
    bullets([
      `users: ${formatCount(s.users)}, of which ${formatCount(s.trainOnlyUsers)} with fewer than ${s.minInteractions} interactions stay in train only`,
      `train / test interactions: ${formatCount(s.train)} / ${formatCount(s.test)} (positives ${formatCount(s.trainPositives)} / ${formatCount(s.testPositives)})`,
      `test users: ${formatCount(s.testUsers)}; test items: ${formatCount(s.testItems)}, ${formatCount(s.unseenTestItems)} never seen in train (${formatCount(s.unseenTestInteractions)} test interactions)`,
    ]),
    '### Global temporal split',
    `> ${g.definition}`,
    bullets([
      `cut: ${Number.isFinite(g.cut) ? new Date(g.cut).toISOString() : String(g.cut)}`,
      `train / test interactions: ${formatCount(g.train)} / ${formatCount(g.test)} (positives ${formatCount(g.trainPositives)} / ${formatCount(g.testPositives)})`,
      `test users: warm ${formatCount(g.warmTestUsers)}, cold ${formatCount(g.coldTestUsers)}` +
        (warmCold > 0 ? ` (${formatPercent(g.coldTestUsers / warmCold)} cold)` : ''),
      `test items never seen in train: ${formatCount(g.unseenTestItems)} of ${formatCount(g.testItems)}`,
    ]),
  ].join('\n\n');
}

function retrievalSection(report: Report, chart: string): string {
  const { k, twoTower, popularity } = report.curves.recallAtK;
  const parts = ['## Retrieval', modelTable(report.retrieval, 'twoTower', 'popularity')];
  if (k.length > 0) {
    parts.push(`![Recall@K: two-tower vs popularity](${chart})`);
    parts.push(
      markdownTable(
        ['K', 'two-tower', 'popularity', 'ratio'],
        k.map((kk, i) => [String(kk), formatMetric(twoTower[i]), formatMetric(popularity[i]), formatRatio(twoTower[i], popularity[i])]),
        ['right', 'right', 'right', 'right'],
      ),
    );
  }
  return parts.join('\n\n');
}

function rankingSection(report: Report): string {
  return [
    '## Ranking',
    'P(positive) on the labelled test interactions, DCN against logistic regression on the same features. Log loss: lower is better.',
    modelTable(report.ranking, 'dcn', 'logisticRegression'),
  ].join('\n\n');
}

function feedSection(report: Report): string {
  return [
    '## Feed',
    'The top 10 each test user would be shown, ranked by DCN or by popularity, against what they engaged with in test.',
    modelTable(report.feed, 'dcn', 'popularity'),
  ].join('\n\n');
}

function trainingSection(report: Report, chart: string): string {
  const { twoTower, dcn } = report.curves.loss;
  const epochs = Math.max(twoTower.length, dcn.length);
  if (epochs === 0) return '## Training\n\nNo loss curve was recorded.';
  return [
    '## Training',
    'Mean training loss per epoch. The two losses are different objectives, so each has its own axis.',
    `![Training loss per epoch: two-tower and DCN](${chart})`,
    markdownTable(
      ['epoch', 'two-tower', 'DCN'],
      Array.from({ length: epochs }, (_, i) => [String(i + 1), formatMetric(twoTower[i]), formatMetric(dcn[i])]),
      ['right', 'right', 'right'],
    ),
  ].join('\n\n');
}

function globalSection(report: Report): string {
  const g = report.globalSplit;
  return [
    '## Global split',
    'Same models, evaluated on the global temporal split (see Protocols).',
    headlineTable(headlineRows(g)),
    '### Warm and cold test users',
    'Warm users have interactions before the cut, cold users none.',
    cohortTable(g.warm, g.cold),
  ].join('\n\n');
}

function cohortTable(warm: CohortResults, cold: CohortResults): string {
  const rows: string[][] = [];
  for (const [name, c] of [['warm', warm], ['cold', cold]] as const) {
    const pairs: [string, Metric, Metric, string, string][] = [
      ['recall@50', c.retrieval.twoTower['recall@50'], c.retrieval.popularity['recall@50'], 'two-tower', 'popularity'],
      ['recall@100', c.retrieval.twoTower['recall@100'], c.retrieval.popularity['recall@100'], 'two-tower', 'popularity'],
      ['ndcg@10', c.feed.dcn['ndcg@10'], c.feed.popularity['ndcg@10'], 'DCN', 'popularity'],
      ['precision@10', c.feed.dcn['precision@10'], c.feed.popularity['precision@10'], 'DCN', 'popularity'],
      ['map@10', c.feed.dcn['map@10'], c.feed.popularity['map@10'], 'DCN', 'popularity'],
    ];
    for (const [metric, m, b, mName, bName] of pairs) {
      rows.push([name, formatCount(c.users), metric, `${mName} ${formatMetric(m)}`, `${bName} ${formatMetric(b)}`, formatRatio(m, b)]);
    }
  }
  return markdownTable(['cohort', 'users', 'metric', 'model', 'baseline', 'ratio'], rows, [
    'left',
    'right',
    'left',
    'right',
    'right',
    'right',
  ]);
}

/**
 * Every metric either model has, side by side: rates (the contract's keys first, extras after)
 * with their ratio, then any counts the evaluator carried along, as integers.
 */
function modelTable<K extends string>(results: Record<K, Record<string, Metric>>, model: K, baseline: K): string {
  const keys = [...new Set([...Object.keys(results[model]), ...Object.keys(results[baseline])])];
  const header = ['metric', modelName(model), modelName(baseline)];
  const value = (name: K, key: string): Metric => results[name][key] ?? null;
  const rates = markdownTable(
    [...header, 'ratio'],
    keys.filter(isRateMetric).map((key) => {
      const m = value(model, key);
      const b = value(baseline, key);
      return [LOWER_IS_BETTER.has(key) ? `${key} ↓` : key, formatMetric(m), formatMetric(b), formatRatio(m, b)];
    }),
    ['left', 'right', 'right', 'right'],
  );
  const countKeys = keys.filter((key) => !isRateMetric(key));
  if (countKeys.length === 0) return rates;
  const count = (x: Metric): string => (x === null ? '—' : formatCount(x));
  const counts = markdownTable(
    ['count', modelName(model), modelName(baseline)],
    countKeys.map((key) => [key, count(value(model, key)), count(value(baseline, key))]),
    ['left', 'right', 'right'],
  );
  return `${rates}\n\n${counts}`;
}

function timingsSection(seconds: StageSeconds): string {
  const { total, ...stages } = seconds;
  const rows = Object.entries(stages).map(([stage, s]) => [
    stage,
    formatDuration(s),
    total > 0 ? formatPercent(s / total) : '—',
  ]);
  const totalText = total >= 60 ? `${formatMetric(total)} s (${formatDuration(total)})` : formatDuration(total);
  rows.push(['**total**', `**${totalText}**`, '']);
  return ['## Timings', 'Wall-clock time per stage.', markdownTable(['stage', 'time', 'share'], rows, ['left', 'right', 'right'])].join(
    '\n\n',
  );
}

function settingsSection(settings: Report['settings']): string {
  const rows = Object.entries(settings).map(([key, value]) => [key, `\`${settingText(value)}\``]);
  return ['## Settings', markdownTable(['setting', 'value'], rows)].join('\n\n');
}

function settingText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function bullets(lines: readonly string[]): string {
  return lines.map((l) => `- ${l}`).join('\n');
}
