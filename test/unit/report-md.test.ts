import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildReport,
  renderLineChart,
  renderReportMarkdown,
  writeReportFiles,
  type Report,
} from '../../src/pipeline/report/index.ts';

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
const feed = (ndcg: number, p: number, map: number) => ({ 'ndcg@10': ndcg, 'precision@10': p, 'map@10': map, coverage: 0.3, diversity: 0.7 });

function sampleReport(): Report {
  return buildReport({
    dataset: { name: 'movielens-100k', users: 943, items: 1682, interactions: 100_000, positives: 55_375, feedback: 'explicit', categories: 19 },
    split: {
      stats: { protocol: 'per-user-temporal', testFraction: 0.2, minInteractions: 5, users: 943, trainOnlyUsers: 0, trainOnlyInteractions: 0, ...counts },
    },
    retrieval: { twoTower: recall(0.213449, 0.33211), popularity: recall(0.14021, 0.228704) },
    ranking: { dcn: { auc: 0.771234, logloss: 0.552349 }, logisticRegression: { auc: 0.710401, logloss: 0.598149 } },
    feed: { dcn: feed(0.123449, 0.1011, 0.0567), popularity: feed(0.0821, 0.0712, 0.0345) },
    globalSplit: {
      stats: {
        protocol: 'global-temporal', trainFraction: 0.8, cut: Date.UTC(1998, 2, 8), trainUsers: 800, warmTestUsers: 60, coldTestUsers: 240,
        ...counts, testUsers: 300,
      },
      retrieval: { twoTower: recall(0.09, 0.15), popularity: recall(0.11, 0.18) },
      ranking: { dcn: { auc: 0.69, logloss: 0.62 }, logisticRegression: { auc: 0.67, logloss: 0.63 } },
      feed: { dcn: feed(0.05, 0.04, 0.02), popularity: feed(0.06, 0.05, 0.03) },
      warm: { users: 60, retrieval: { twoTower: recall(0.15, 0.24), popularity: recall(0.1, 0.17) }, feed: { dcn: feed(0.08, 0.07, 0.04), popularity: feed(0.06, 0.05, 0.03) } },
      cold: { users: 240, retrieval: { twoTower: recall(0.07, 0.13), popularity: recall(0.11, 0.18) }, feed: { dcn: feed(NaN, 0.03, 0.02), popularity: feed(0.06, 0.05, 0.03) } },
    },
    curves: {
      loss: { twoTower: [6.12, 5.31, 4.92, 4.71, 4.6, 4.52, 4.47, 4.44], dcn: [0.642, 0.588, 0.566, 0.555, 0.548, 0.544, 0.541, 0.539] },
      recallAtK: { k: [10, 20, 50, 100, 200], twoTower: [0.071, 0.121, 0.2134, 0.3321, 0.4712], popularity: [0.052, 0.083, 0.1402, 0.2287, 0.3501] },
    },
    seconds: { load: 0.82, split: 0.11, features: 1.9, baselines: 0.7, twoTower: 41.3, dcn: 28.7, evaluate: 6.2, shards: 1.1, export: 0.4 },
    settings: { seed: 42, epochs: 8, batchSize: 512, backend: 'tensorflow-wasm', towers: { dim: 32 } },
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
      '## Summary', '## Protocols', '## Retrieval', '## Ranking', '## Feed', '## Training', '## Global split', '## Timings', '## Settings',
    ]);
  });

  it('gives the headline numbers to 4 significant digits, beside the baseline, with the ratio', () => {
    const rows = md.split('\n');
    const row = (stage: string, metric: string) => rows.find((l) => l.startsWith(`| ${stage} `) && l.includes(` ${metric} `))!;
    // 0.213449 / 0.14021 = 1.52235…
    expect(row('retrieval', 'recall@50')).toMatch(/\| two-tower \|\s+0\.2134 \| popularity\s+\|\s+0\.1402 \|\s+1\.522× \|/);
    expect(row('retrieval', 'recall@100')).toContain('0.3321');
    expect(row('retrieval', 'recall@100')).toContain('0.2287');
    expect(row('retrieval', 'recall@100')).toContain('1.452×');
    expect(row('ranking', 'auc')).toContain('0.7712');
    // Lower is better: marked, and the ratio below 1 is the model's win. 0.552349 / 0.598149 = 0.92343
    expect(row('ranking', 'logloss ↓')).toContain('0.9234×');
    // Trailing zeros kept: 4 significant digits means 0.08210, not 0.0821.
    expect(row('feed', 'ndcg@10')).toMatch(/0\.1234 .*0\.08210 .*1\.504×/);
    expect(md).toContain('`████████████████████` 0.2134');
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
    expect(md).toMatch(/\| coverage\s+\|\s+0\.3000 \|\s+0\.3000 \|\s+1\.000× \|/);
    expect(md).toMatch(/\| warm\s+\|\s+60 \| recall@100\s+\|\s+two-tower 0\.2400 \|\s+popularity 0\.1700 \|\s+1\.412× \|/);
    expect(md).toMatch(/\| cold\s+\|\s+240 \| ndcg@10\s+\|\s+DCN — \|\s+popularity 0\.06000 \|\s+— \|/);
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
