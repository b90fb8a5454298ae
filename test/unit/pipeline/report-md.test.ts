import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, writeReportFiles, type Report } from '../../../src/pipeline/report/index.ts';
import { renderReportMarkdown } from '../../../src/pipeline/report/report-md.ts';
import { renderLineChart } from '../../../src/pipeline/report/svg-line-chart.ts';

const counts = {
  interactions: 100_000,
  train: 80_000,
  test: 20_000,
  trainPositives: 44_000,
  testPositives: 11_000,
  testUsers: 943,
  testItems: 1400,
  unseenTestItems: 30,
  unseenTestInteractions: 40,
};
const recall = (a: number, b: number) => ({ 'recall@50': a, 'recall@100': b });
const feed = (ndcg: number, p: number, map: number, coverage = 0.3, diversity = 0.7) => ({ 'ndcg@10': ndcg, 'precision@10': p, 'map@10': map, coverage, diversity });

function sampleReport(): Report {
  return buildReport({
    dataset: { name: 'movielens-100k', users: 943, items: 1682, interactions: 100_000, positives: 55_375, feedback: 'explicit', categories: 19 },
    split: {
      stats: { protocol: 'per-user-temporal', testFraction: 0.2, minInteractions: 5, users: 943, trainOnlyUsers: 0, trainOnlyInteractions: 0, ...counts },
    },
    retrieval: { twoTower: recall(0.213449, 0.33211), popularity: recall(0.14021, 0.228704), ease: recall(0.2051, 0.3012) },
    ranking: { dcn: { auc: 0.771234, logloss: 0.552349 }, logisticRegression: { auc: 0.710401, logloss: 0.598149 } },
    feed: {
      served: { ...feed(0.2101, 0.1805, 0.1102, 0.3512, 0.8123), users: 943 },
      dcn: { ...feed(0.2154, 0.1851, 0.1143, 0.2203, 0.7012), users: 943 },
      ranked: { ...feed(0.2154, 0.1851, 0.1143, 0.2203, 0.7012), users: 943 },
      twoTower: feed(0.1712, 0.1502, 0.0901),
      ease: feed(0.196, 0.1703, 0.1021, 0.1512, 0.6523),
      itemKnn: feed(0.172, 0.1499, 0.0899),
      popularity: feed(0.0821, 0.0712, 0.0345, 0.0148, 0.6012),
    },
    globalSplit: {
      stats: {
        protocol: 'global-temporal', trainFraction: 0.8, cut: Date.UTC(1998, 2, 8), trainUsers: 800, warmTestUsers: 60, coldTestUsers: 240,
        ...counts, testUsers: 300,
      },
      retrieval: { twoTower: recall(0.09, 0.15), popularity: recall(0.11, 0.18) },
      ranking: { dcn: { auc: 0.69, logloss: 0.62 }, logisticRegression: { auc: 0.67, logloss: 0.63 } },
      // An older-style protocol result: no `ranked` (its alias `dcn` stands in), no EASE or ItemKNN.
      feed: { served: feed(0.05, 0.04, 0.02), dcn: feed(0.052, 0.041, 0.021), popularity: feed(0.06, 0.05, 0.03) },
      warm: {
        users: 60,
        retrieval: { twoTower: recall(0.15, 0.24), popularity: recall(0.1, 0.17) },
        feed: { served: feed(0.08, 0.07, 0.04), dcn: feed(0.08, 0.07, 0.04), popularity: feed(0.06, 0.05, 0.03) },
      },
      cold: {
        users: 240,
        retrieval: { twoTower: recall(0.07, 0.13), popularity: recall(0.11, 0.18) },
        feed: { served: feed(NaN, 0.03, 0.02), dcn: feed(NaN, 0.03, 0.02), popularity: feed(0.06, 0.05, 0.03) },
      },
    },
    curves: {
      loss: { twoTower: [6.12, 5.31, 4.92, 4.71, 4.6, 4.52, 4.47, 4.44], dcn: [0.642, 0.588, 0.566, 0.555, 0.548, 0.544, 0.541, 0.539] },
      recallAtK: { k: [10, 20, 50, 100, 200], twoTower: [0.071, 0.121, 0.2134, 0.3321, 0.4712], popularity: [0.052, 0.083, 0.1402, 0.2287, 0.3501] },
    },
    seconds: { load: 0.82, split: 0.11, features: 1.9, baselines: 0.7, twoTower: 41.3, dcn: 28.7, evaluate: 6.2, shards: 1.1, export: 0.4 },
    settings: {
      seed: 42,
      epochs: 8,
      batchSize: 512,
      backend: 'tensorflow-wasm',
      towers: { dim: 32 },
      retrieval: { lambda: 300, halfLifeEvents: 20, easeLambda: 500 },
      validation: [
        { lambda: 300, halfLifeEvents: 20, ndcg: 0.21 },
        { lambda: 500, halfLifeEvents: null, ndcg: 0.2 },
      ],
      dcnEpochs: 6,
    },
  });
}

/**
 * A small well-formedness check for the SVG we write (no XML parser is installed, and this is
 * not worth adding one for): one root <svg>, every tag closed in order, attributes quoted, no
 * raw `<` or unescaped `&` in text. Returns the tag names in document order.
 */
function checkWellFormed(xml: string): string[] {
  const body = xml.trim();
  expect(body.startsWith('<svg')).toBe(true);
  expect(body.endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const text = body.slice(i, lt === -1 ? body.length : lt);
    expect(text, 'text between tags').not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    expect(m, `a well-formed tag at ${lt}: ${body.slice(lt, lt + 60)}`).not.toBeNull();
    const [whole, closing, name, , selfClosing] = m!;
    if (closing) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else {
      names.push(name!);
      if (!selfClosing) stack.push(name!);
    }
    i = lt + whole.length;
  }
  expect(stack).toEqual([]);
  expect(names.filter((n) => n === 'svg')).toHaveLength(1);
  return names;
}

describe('renderReportMarkdown', () => {
  let dir: string;
  let md: string;
  let report: Report;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ondeck-report-'));
    report = sampleReport();
    md = await renderReportMarkdown(report, { svgDir: join(dir, 'charts') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the sections in order', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Served feed vs baselines', '## Protocols', '## Retrieval', '## Ranking', '## Feed', '## Training', '## Global split', '## Timings', '## Settings',
    ]);
    // The served feed against every baseline comes first, right after the dataset line.
    expect(md.split('\n').findIndex((l) => l.startsWith('| feed '))).toBeLessThan(10);
  });

  it('opens with every feed, its metrics to 4 significant digits and served ÷ this on NDCG@10', () => {
    const rows = md.split('\n');
    const row = (name: string) => rows.find((l) => l.startsWith(`| ${name} `))!;
    expect(rows.find((l) => l.startsWith('| feed '))).toMatch(
      /^\| feed\s+\| NDCG@10 \| Precision@10 \|\s+MAP@10 \| coverage \| diversity \| served ÷ this \|$/,
    );
    expect(row('served feed')).toMatch(/\|\s+0\.2101 \|\s+0\.1805 \|\s+0\.1102 \|\s+0\.3512 \|\s+0\.8123 \|\s+1\.000× \|$/);
    // 0.2101 / 0.2154 = 0.97539…: re-ranking's cost in NDCG.
    expect(row('ranked (before re-ranking)')).toMatch(/\|\s+0\.2154 \|.*\|\s+0\.9754× \|$/);
    expect(row('retrieval only (two-tower)')).toMatch(/\|\s+0\.1712 \|.*\|\s+1\.227× \|$/);
    // 0.2101 / 0.196 = 1.07193…
    expect(row('EASE')).toMatch(/\|\s+0\.1960 \|\s+0\.1703 \|\s+0\.1021 \|\s+0\.1512 \|\s+0\.6523 \|\s+1\.072× \|$/);
    expect(row('ItemKNN')).toMatch(/\|\s+0\.1720 \|.*\|\s+1\.222× \|$/);
    // Trailing zeros kept: 4 significant digits means 0.08210, not 0.0821. 0.2101 / 0.0821 = 2.5590…
    expect(row('most-popular')).toMatch(/\|\s+0\.08210 \|\s+0\.07120 \|\s+0\.03450 \|\s+0\.01480 \|\s+0\.6012 \|\s+2\.559× \|$/);
    expect(md).toContain('The best baseline is EASE (NDCG@10 0.1960); the served feed scores 0.2101, 1.072× the best baseline.');
    expect(md).toContain('| ranked (before re-ranking) | `████████████████████` 0.2154  |');
    expect(md).toContain('| EASE                       | `██████████████████░░` 0.1960  |');
  });

  it('follows with retrieval recall against EASE and popularity, ranking against logistic regression, and what validation chose', () => {
    const head = md.slice(0, md.indexOf('## Protocols'));
    // Ratio against the better baseline: EASE here. 0.33211 / 0.3012 = 1.10262…
    expect(head).toMatch(/\| metric\s+\|\s+ours \|\s+EASE \| popularity \| ours ÷ best \|/);
    expect(head).toMatch(/\| recall@50\s+\| 0\.2134 \| 0\.2051 \|\s+0\.1402 \|\s+1\.041× \|/);
    expect(head).toMatch(/\| recall@100 \| 0\.3321 \| 0\.3012 \|\s+0\.2287 \|\s+1\.103× \|/);
    expect(head).toMatch(/\| auc\s+\| 0\.7712 \|\s+0\.7104 \|\s+1\.086× \|/);
    // Lower is better: marked, and the ratio below 1 is the model's win. 0.552349 / 0.598149 = 0.92343
    expect(head).toMatch(/\| logloss ↓ \| 0\.5523 \|\s+0\.5981 \| 0\.9234× \|/);
    expect(head).toContain(
      'What validation chose, on a slice of train, never test (2 retrieval settings tried): ' +
        'retrieval λ 300, history half-life 20 events, EASE baseline λ 500, DCN epochs 6.',
    );
  });

  it('sets the served feed against the ranking before re-ranking in the Feed section', () => {
    const feed = md.slice(md.indexOf('## Feed'), md.indexOf('## Training'));
    // 0.3512 / 0.2203 = 1.59419…: what re-ranking buys in coverage.
    expect(feed).toMatch(/\| coverage\s+\| 0\.3512 \| 0\.2203 \|\s+1\.594× \|/);
    expect(feed).toMatch(/\| ndcg@10\s+\| 0\.2101 \| 0\.2154 \| 0\.9754× \|/);
    expect(feed).toMatch(/\| users \|\s+943 \|\s+943 \|/);
  });

  it('gives the global split the same feed table, with `dcn` standing in for a missing `ranked`', () => {
    const global = md.slice(md.indexOf('## Global split'), md.indexOf('### Warm and cold'));
    expect(global).toMatch(/\| served feed\s+\| 0\.05000 \|.*\|\s+1\.000× \|/);
    // 0.05 / 0.052 = 0.96153…
    expect(global).toMatch(/\| ranked \(before re-ranking\) \| 0\.05200 \|.*\|\s+0\.9615× \|/);
    expect(global).toMatch(/\| most-popular\s+\| 0\.06000 \|.*\|\s+0\.8333× \|/);
    expect(global).not.toContain('| EASE');
    expect(global).toContain('The best baseline is most-popular (NDCG@10 0.06000); the served feed scores 0.05000, 0.8333× the best baseline.');
    expect(global).toMatch(/\| recall@100 \|\s+0\.1500 \|\s+0\.1800 \| 0\.8333× \|/);
  });

  it('leaves the validation line out when the settings do not record a choice', async () => {
    const r = sampleReport();
    delete r.settings.retrieval;
    delete r.settings.dcnEpochs;
    const plain = await renderReportMarkdown(r, { svgDir: join(dir, 'plain') });
    expect(plain).not.toContain('What validation chose');
    r.settings.retrieval = { lambda: 100, halfLifeEvents: null };
    const noRecency = await renderReportMarkdown(r, { svgDir: join(dir, 'plain') });
    expect(noRecency).toContain('What validation chose, on a slice of train, never test (2 retrieval settings tried): retrieval λ 100, no history recency.');
  });

  it('names the evaluation sample and its NDCG@10 interval only when a build sampled test users', async () => {
    const r = sampleReport();
    expect(await renderReportMarkdown(r, { svgDir: join(dir, 'sample') })).not.toContain('seeded random sample');
    r.settings.evaluationSample = {
      perUser: { users: 5000, of: 118000, seed: 42, k: 10, mean: 0.1234, ci95: [0.1189, 0.1279], measured: 4990 },
      global: null,
    };
    expect(await renderReportMarkdown(r, { svgDir: join(dir, 'sample') })).toContain(
      'Evaluated on a seeded random sample of test users (the models are trained on all): per-user protocol: 5,000 of 118,000 test users, served NDCG@10 0.1234 (95% interval 0.1189–0.1279).',
    );
  });

  it('judges the feeds against the true preferences on synthetic data, and names exposure bias when the two disagree', async () => {
    const r = sampleReport();
    expect(await renderReportMarkdown(r, { svgDir: join(dir, 'truth') })).not.toContain('Against the true preferences');
    // Logged: popularity ahead of the served feed; truth: the served feed ahead.
    r.feed.popularity = feed(0.3, 0.2, 0.15);
    r.truth = {
      definition: 'P(click) ≥ 0.5 in the first slot',
      users: 1500,
      feed: { served: feed(0.4, 0.3, 0.2), dcn: feed(0.41, 0.3, 0.2), popularity: feed(0.1, 0.08, 0.05) },
    };
    const md = await renderReportMarkdown(buildReport({ ...r, split: { stats: r.split }, globalSplit: { ...r.globalSplit, stats: r.globalSplit.split } }), { svgDir: join(dir, 'truth') });
    expect(md).toContain('### Against the true preferences');
    expect(md).toContain('its 1,500 test users truly likes (P(click) ≥ 0.5 in the first slot)');
    expect(md).toContain('The best baseline is most-popular (NDCG@10 0.1000); the served feed scores 0.4000, 4.000× the best baseline.');
    expect(md).toContain('exposure bias');
    // Without the disagreement there is no such line.
    r.feed.popularity = feed(0.01, 0.01, 0.01);
    expect(await renderReportMarkdown(r, { svgDir: join(dir, 'truth') })).not.toContain('exposure bias');
  });

  it('quotes both protocol definitions verbatim, including the cold-start caveat', () => {
    expect(md).toContain(`> ${report.split.definition}`);
    expect(md).toContain(`> ${report.globalSplit.split.definition}`);
    expect(report.globalSplit.split.definition).toContain('240 of 300 test users (80%)');
    expect(md).toContain('mostly measures cold start');
    expect(md).toContain('as expected on MovieLens');
    expect(md).toContain('test users: warm 60, cold 240 (80% cold)');
  });

  it('shows extras, the warm/cold rows, an undefined metric as a dash, timings and settings', () => {
    expect(md).toMatch(/\| warm\s+\|\s+60 \| recall@100\s+\|\s+ours 0\.2400 \|\s+popularity 0\.1700 \|\s+1\.412× \|/);
    expect(md).toMatch(/\| warm\s+\|\s+60 \| ndcg@10\s+\|\s+served 0\.08000 \|\s+popularity 0\.06000 \|\s+1\.333× \|/);
    expect(md).toMatch(/\| cold\s+\|\s+240 \| ndcg@10\s+\|\s+served — \|\s+popularity 0\.06000 \|\s+— \|/);
    expect(md).toMatch(/\| twoTower\s+\|\s+41\.30 s \|\s+50\.8% \|/);
    expect(md).toContain('**81.23 s (1 min 21 s)**');
    expect(md).toMatch(/\| towers\s+\| `\{"dim":32\}`/);
    expect(md).toContain('100,000 interactions (55,375 positive, explicit feedback) from 943 users');
  });

  it('links the charts relative to report.md', () => {
    expect(md).toContain('![Training loss per epoch: two-tower and DCN](charts/loss.svg)');
    expect(md).toContain('![Recall@K: two-tower vs popularity](charts/recall-at-k.svg)');
  });

  it('writes well-formed SVG charts with one path per series, axes, labels and a legend', async () => {
    expect((await readdir(join(dir, 'charts'))).sort()).toEqual(['loss.svg', 'recall-at-k.svg']);
    const loss = await readFile(join(dir, 'charts', 'loss.svg'), 'utf8');
    const tags = checkWellFormed(loss);
    expect(tags.filter((t) => t === 'path')).toHaveLength(2);
    expect(tags.filter((t) => t === 'polyline')).toHaveLength(0);
    expect(loss).toContain('width="640" height="360"');
    expect(loss).toContain('>Training loss per epoch</text>');
    expect(loss).toContain('>epoch</text>');
    expect(loss).toContain('>two-tower loss (sampled softmax)</text>');
    expect(loss).toContain('>DCN loss (log loss)</text>');
    expect(loss).toContain('>two-tower (left axis)</text>');
    expect(loss).toContain('>DCN (right axis)</text>');
    // Epoch ticks are whole and start at 1; the DCN axis has its own ticks around 0.5-0.65.
    for (const t of ['1', '2', '8']) expect(loss).toContain(`>${t}</text>`);
    expect(loss).not.toMatch(/text-anchor="middle">0<\/text>/);
    expect(loss).toContain('>0.65</text>');
    expect(loss).toContain('>6.5</text>');
    expect(loss).not.toMatch(/<script|@import|url\(|href=/);
    // 8 points per series, each marked.
    expect(tags.filter((t) => t === 'circle')).toHaveLength(16);

    const recall = await readFile(join(dir, 'charts', 'recall-at-k.svg'), 'utf8');
    const rtags = checkWellFormed(recall);
    expect(rtags.filter((t) => t === 'path')).toHaveLength(2);
    expect(recall).toContain('>K (candidates retrieved)</text>');
    expect(recall).toContain('>recall@K</text>');
    expect(recall).toContain('>two-tower</text>');
    expect(recall).toContain('>popularity</text>');
    // The recall axis starts at 0 and reaches past the largest value (0.4712).
    expect(recall).toContain('>0.0</text>');
    expect(recall).toContain('>0.5</text>');
  });

  it('writes report.json, report.md and the charts together', async () => {
    const out = join(dir, 'release');
    const written = await writeReportFiles(out, report);
    const json: unknown = JSON.parse(await readFile(written.json, 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(report)));
    expect(await readFile(written.markdown, 'utf8')).toBe(md);
    expect((await readdir(written.svgDir)).sort()).toEqual(['loss.svg', 'recall-at-k.svg']);
  });
});

describe('renderLineChart', () => {
  it('escapes text, breaks the line at gaps but keeps one path per series', () => {
    const svg = renderLineChart({
      title: 'A <b> & "c"',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'one & two', x: [1, 2, 3, 4], y: [1, null, 3, 4] },
        { name: 'three', x: [1, 2], y: [2, 2] },
        { name: 'empty', x: [], y: [] },
      ],
    });
    const tags = checkWellFormed(svg);
    expect(svg).toContain('>A &lt;b&gt; &amp; &quot;c&quot;</text>');
    expect(svg).toContain('>one &amp; two</text>');
    expect(tags.filter((t) => t === 'path')).toHaveLength(3);
    const d = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
    expect(d[0]!.match(/M/g)).toHaveLength(2); // 1, gap, then 3-4
    expect(d[0]!.match(/L/g)).toHaveLength(1);
    expect(d[2]).toBe('');
  });

  it('draws axes and a "no data" note when there is nothing to plot', () => {
    const svg = renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1], y: [null] }] });
    checkWellFormed(svg);
    expect(svg).toContain('>no data</text>');
  });
});
