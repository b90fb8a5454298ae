import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { REPORT_DEFAULTS } from './defaults.ts';
import { formatCount, formatDuration, formatMetric, formatPercent, formatRatio } from './format.ts';
import { LOWER_IS_BETTER, RETRIEVAL_NAMES, bestFeedBaseline, feedRows, isRateMetric, modelName } from './headline.ts';
import { markdownTable, type Align } from './markdown-table.ts';
import { lossChartSvg, recallChartSvg } from './report-charts.ts';
import type { CohortResults, FeedResults, Metric, Report, ReportSettings, RetrievalResults, StageSeconds } from './report-json.ts';

export interface ReportMarkdownOptions {
  /** Where the SVG charts are written (created if missing). */
  svgDir: string;
  /** How report.md links to svgDir; default: its last path segment, i.e. report.md sits in svgDir's parent. */
  svgHref?: string;
}

/**
 * report.md for humans: the same numbers as report.json, every metric to 4 significant digits.
 * It opens with the served feed against every baseline feed, with ratios, then retrieval and
 * ranking against theirs; both protocols are spelled out. Writes the charts
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
    headlineSection(report),
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

function headlineSection(report: Report): string {
  const choice = validationLine(report.settings);
  const sample = sampleLine(report.settings);
  return [
    '## Served feed vs baselines',
    'Per-user temporal split (the headline protocol): the top 10 each test user is shown, against what they ' +
      "engaged with in test. \"served ÷ this\" is the served feed's NDCG@10 over that row's: above 1, the served feed wins.",
    ...(sample ? [sample] : []),
    feedTable(report.feed),
    bestBaselineSentence(report.feed),
    ...truthParts(report),
    feedBars(report.feed),
    '### Retrieval recall',
    "Share of each test user's test positives among the top K retrieved; ours is what the device ranks.",
    retrievalTable(report.retrieval, ['recall@50', 'recall@100']),
    '### Ranking quality',
    "P(liked) of every candidate the device ranks for a test user (head and retrieved items), labelled by the user's test positives; DCN against logistic regression on the same features and rows. Log loss: lower is better.",
    comparisonTable(report.ranking, 'dcn', ['logisticRegression'], { keys: ['auc', 'logloss'] }),
    ...(choice ? [choice] : []),
  ].join('\n\n');
}

const FEED_COLUMNS: readonly (readonly [key: string, label: string])[] = [
  ['ndcg@10', 'NDCG@10'],
  ['precision@10', 'Precision@10'],
  ['map@10', 'MAP@10'],
  ['coverage', 'coverage'],
  ['diversity', 'diversity'],
];

/** Every feed the results hold, one row each, with the served feed's NDCG@10 over that feed's. */
function feedTable(feed: FeedResults): string {
  const served = feed.served['ndcg@10'];
  return markdownTable(
    ['feed', ...FEED_COLUMNS.map(([, label]) => label), 'served ÷ this'],
    feedRows(feed).map((r) => [
      r.name,
      ...FEED_COLUMNS.map(([key]) => formatMetric(r.metrics[key])),
      formatRatio(served, r.metrics['ndcg@10']),
    ]),
    ['left', ...FEED_COLUMNS.map((): Align => 'right'), 'right'],
  );
}

function bestBaselineSentence(feed: FeedResults): string {
  const best = bestFeedBaseline(feed);
  const served = feed.served['ndcg@10'];
  const r = formatRatio(served, best.metrics['ndcg@10']);
  return (
    `The best baseline is ${best.name} (NDCG@10 ${formatMetric(best.metrics['ndcg@10'])}); ` +
    `the served feed scores ${formatMetric(served)}, ` +
    (r === '—' ? 'which cannot be compared with it (a value is missing or zero).' : `${r} the best baseline.`)
  );
}

/**
 * Synthetic data: the same feeds against what each user truly likes, and one plain line when the
 * logged metrics and the truth disagree about popularity (the log holds only what was shown).
 */
function truthParts(report: Report): string[] {
  const t = report.truth;
  if (!t) return [];
  const served = (f: FeedResults) => f.served['ndcg@10'];
  const pop = (f: FeedResults) => f.popularity['ndcg@10'];
  const parts = [
    '### Against the true preferences',
    `The synthetic world knows what each of its ${formatCount(t.users)} test users truly likes (${t.definition}): the same feeds, judged on that, shown or not.`,
    feedTable(t.feed),
    bestBaselineSentence(t.feed),
  ];
  const loggedFavoursPopularity = (pop(report.feed) ?? 0) >= (served(report.feed) ?? 0);
  const truthFavoursServed = (served(t.feed) ?? 0) > (pop(t.feed) ?? 0);
  if (loggedFavoursPopularity && truthFavoursServed) {
    parts.push(
      'The logged metrics favour popularity and the true preferences favour the served feed: the log holds only what an earlier, popularity-leaning feed showed (exposure bias), so popular items look better in it than they are.',
    );
  }
  return parts;
}

/**
 * NDCG@10 of every feed as text bars scaled to the largest, in code spans so they line up in a
 * monospace font: the eye compares lengths faster than it compares 0.1234 with 0.0987.
 */
function feedBars(feed: FeedResults): string {
  const rows = feedRows(feed);
  const max = Math.max(0, ...rows.map((r) => r.metrics['ndcg@10'] ?? 0));
  return markdownTable(
    ['feed', 'NDCG@10'],
    rows.map((r) => [r.name, bar(r.metrics['ndcg@10'], max)]),
  );
}

function bar(x: Metric, max: number): string {
  const w = REPORT_DEFAULTS.barWidth;
  const filled = x === null || max <= 0 ? 0 : Math.round((Math.max(0, x) / max) * w);
  return `\`${'█'.repeat(filled)}${'░'.repeat(w - filled)}\` ${formatMetric(x)}`;
}

/** Ours against EASE (when run) and popularity; the ratio is against the better of the two. */
function retrievalTable(retrieval: RetrievalResults, keys?: readonly string[]): string {
  return comparisonTable(retrieval, 'twoTower', ['ease', 'popularity'], { names: RETRIEVAL_NAMES, ...(keys ? { keys } : {}) });
}

/**
 * One line on what validation (a slice of train, never test) chose, from the settings the build
 * records; null when it recorded none.
 */
function validationLine(settings: ReportSettings): string | null {
  const parts: string[] = [];
  const r = settings.retrieval;
  if (r) {
    parts.push(`retrieval λ ${formatSetting(r.lambda)}`);
    if (r.historyLength !== undefined) parts.push(`history of ${formatSetting(r.historyLength)} positives`);
    parts.push(r.halfLifeEvents === null ? 'no history recency' : `history half-life ${formatSetting(r.halfLifeEvents)} events`);
    if (r.easeLambda !== undefined) parts.push(`EASE baseline λ ${formatSetting(r.easeLambda)}`);
  }
  if (settings.dcnEpochs !== undefined) parts.push(`DCN epochs ${settings.dcnEpochs}`);
  if (parts.length === 0) return null;
  const tried = Array.isArray(settings.validation) ? ` (${settings.validation.length} retrieval settings tried)` : '';
  return `What validation chose, on a slice of train, never test${tried}: ${parts.join(', ')}.`;
}

interface SampleSetting {
  users: number;
  of: number;
  k: number;
  mean: number;
  ci95: [number, number];
}

/** Large data: which share of test users each protocol evaluated, and the served NDCG's 95% interval. */
function sampleLine(settings: ReportSettings): string | null {
  const s = settings.evaluationSample as { perUser?: SampleSetting | null; global?: SampleSetting | null } | undefined;
  if (!s) return null;
  const one = (name: string, x: SampleSetting | null | undefined) =>
    x ? `${name}: ${formatCount(x.users)} of ${formatCount(x.of)} test users, served NDCG@${x.k} ${formatMetric(x.mean)} (95% interval ${formatMetric(x.ci95[0])}–${formatMetric(x.ci95[1])})` : null;
  const parts = [one('per-user protocol', s.perUser), one('global protocol', s.global)].filter((x): x is string => x !== null);
  return parts.length === 0 ? null : `Evaluated on a seeded random sample of test users (the models are trained on all): ${parts.join('; ')}.`;
}

function formatSetting(x: number): string {
  return Number.isInteger(x) ? formatCount(x) : formatMetric(x);
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
  const parts = ['## Retrieval', retrievalTable(report.retrieval)];
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
    "P(liked) of every candidate the device ranks for a test user (head and retrieved items), labelled by the user's test positives; DCN against logistic regression on the same features and rows. Log loss: lower is better.",
    comparisonTable(report.ranking, 'dcn', ['logisticRegression']),
  ].join('\n\n');
}

function feedSection(report: Report): string {
  const feeds = { served: report.feed.served, ranked: report.feed.ranked ?? report.feed.dcn };
  return [
    '## Feed',
    'What re-ranking (near-duplicates, MMR, category cap, freshness, exploration) costs and buys: the served feed ' +
      'against the same ranking before re-ranking, every metric the evaluator reported.',
    comparisonTable(feeds, 'served', ['ranked']),
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
    feedTable(g.feed),
    bestBaselineSentence(g.feed),
    retrievalTable(g.retrieval, ['recall@50', 'recall@100']),
    comparisonTable(g.ranking, 'dcn', ['logisticRegression'], { keys: ['auc', 'logloss'] }),
    '### Warm and cold test users',
    'Warm users have interactions before the cut, cold users none.',
    cohortTable(g.warm, g.cold),
  ].join('\n\n');
}

function cohortTable(warm: CohortResults, cold: CohortResults): string {
  const rows: string[][] = [];
  for (const [name, c] of [['warm', warm], ['cold', cold]] as const) {
    const pairs: [string, Metric, Metric, string, string][] = [
      ['recall@50', c.retrieval.twoTower['recall@50'], c.retrieval.popularity['recall@50'], 'ours', 'popularity'],
      ['recall@100', c.retrieval.twoTower['recall@100'], c.retrieval.popularity['recall@100'], 'ours', 'popularity'],
      ['ndcg@10', c.feed.served['ndcg@10'], c.feed.popularity['ndcg@10'], 'served', 'popularity'],
      ['precision@10', c.feed.served['precision@10'], c.feed.popularity['precision@10'], 'served', 'popularity'],
      ['map@10', c.feed.served['map@10'], c.feed.popularity['map@10'], 'served', 'popularity'],
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

interface ComparisonOptions {
  /** Only these metrics, in this order; default: every key any of the models has. */
  keys?: readonly string[];
  /** Column names by model key; default: modelName(). */
  names?: Readonly<Record<string, string>>;
}

/**
 * `model` beside each baseline present in `results`: rates (the contract's keys first, extras
 * after) with model ÷ baseline — against the best baseline of each metric when there are
 * several — then any counts the evaluator carried along, as integers.
 */
function comparisonTable<M extends string>(
  results: Readonly<Partial<Record<M, Readonly<Record<string, Metric>>>>>,
  model: M,
  baselines: readonly M[],
  options: ComparisonOptions = {},
): string {
  const present = baselines.filter((b) => results[b] !== undefined);
  const models = [model, ...present];
  const keys = options.keys ?? [...new Set(models.flatMap((m) => Object.keys(results[m]!)))];
  const name = (key: string): string => options.names?.[key] ?? modelName(key);
  const value = (m: M, key: string): Metric => results[m]?.[key] ?? null;
  const bestBaseline = (key: string): Metric => {
    const values = present.map((b) => value(b, key)).filter((x): x is number => x !== null);
    if (values.length === 0) return null;
    return LOWER_IS_BETTER.has(key) ? Math.min(...values) : Math.max(...values);
  };
  const ratioHeader = present.length > 1 ? `${name(model)} ÷ best` : 'ratio';
  const rates = markdownTable(
    ['metric', ...models.map(name), ratioHeader],
    keys.filter(isRateMetric).map((key) => [
      LOWER_IS_BETTER.has(key) ? `${key} ↓` : key,
      ...models.map((m) => formatMetric(value(m, key))),
      formatRatio(value(model, key), bestBaseline(key)),
    ]),
    ['left', ...models.map((): Align => 'right'), 'right'],
  );
  const countKeys = keys.filter((key) => !isRateMetric(key));
  if (countKeys.length === 0) return rates;
  const count = (x: Metric): string => (x === null ? '—' : formatCount(x));
  const counts = markdownTable(
    ['count', ...models.map(name)],
    countKeys.map((key) => [key, ...models.map((m) => count(value(m, key)))]),
    ['left', ...models.map((): Align => 'right')],
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
