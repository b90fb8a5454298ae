import { describe, expect, it } from 'vitest';
import { createProgress, renderSummaryTable } from '../../../src/pipeline/progress/index.ts';
import { formatElapsed, formatRate, renderBar, ttyLine } from '../../../src/pipeline/progress/format-progress.ts';
import type { ProgressStream } from '../../../src/pipeline/progress/progress.ts';
import { buildReport, headlineRows } from '../../../src/pipeline/report/index.ts';

/** A stream that keeps what is written; `isTTY` and `columns` as a terminal would report them. */
function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    ...(columns !== undefined ? { columns } : {}),
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    chunks,
    text: () => chunks.join(''),
  };
}

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('createProgress without a TTY', () => {
  it('logs a 1,000-tick stage over 5 s in a handful of lines, not 1,000', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createProgress({ stream, now: clock.now });
    const stage = progress.stage('twoTower', 1000);
    for (let i = 0; i < 1000; i++) {
      clock.advance(5); // 1,000 ticks over 5 s
      stage.tick(1, `loss ${(1 / (i + 1)).toFixed(4)}`);
    }
    stage.done('recall@100 0.3321');
    const lines = stream.text().split('\n').filter(Boolean);
    // start, one line per 2 s (at 2 s and 4 s), done
    expect(lines).toEqual([
      '[twoTower] start, 1,000 to do',
      '[twoTower] 400/1,000 40%, 200/s, 2.0s, loss 0.0025',
      '[twoTower] 800/1,000 80%, 200/s, 4.0s, loss 0.0013',
      '[twoTower] done: 1,000/1,000 in 5.0s (200/s); recall@100 0.3321',
    ]);
    expect(stream.text()).not.toContain('\r');
    expect(stream.text()).not.toContain('\x1b');
  });

  it('writes only start and end for a fast stage on the real clock', () => {
    const stream = fakeStream(false);
    const stage = createProgress({ stream }).stage('shards', 1000);
    for (let i = 0; i < 1000; i++) stage.tick();
    stage.done();
    const lines = stream.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\[shards\] done: 1,000\/1,000 in \d+\.\ds/);
  });

  it('handles a stage without a total, and ignores ticks and a second done after done', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const stage = createProgress({ stream, now: clock.now }).stage('load');
    clock.advance(2500);
    stage.tick(1500);
    stage.done();
    stage.tick(10);
    stage.done('again');
    expect(stream.text().split('\n').filter(Boolean)).toEqual([
      '[load] start',
      '[load] 1,500, 600/s, 2.5s',
      '[load] done: 1,500 in 2.5s (600/s)',
    ]);
  });

  it('writes plain lines on a TTY too when disabled', () => {
    const stream = fakeStream(true);
    const stage = createProgress({ stream, enabled: false }).stage('dcn', 3);
    stage.tick();
    stage.done();
    expect(stream.text()).not.toContain('\r');
    expect(stream.text()).toContain('[dcn] start, 3 to do\n');
  });
});

describe('createProgress on a TTY', () => {
  it('redraws one line in place with carriage returns, throttled, and ends it with a newline', () => {
    const stream = fakeStream(true, 100);
    const clock = fakeClock();
    const stage = createProgress({ stream, now: clock.now }).stage('twoTower', 1000);
    for (let i = 0; i < 1000; i++) {
      clock.advance(1); // 1,000 ticks in 1 s: at most one redraw per 100 ms
      stage.tick(1, 'loss 0.5000');
    }
    stage.done('ok');
    const { chunks } = stream;
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    expect(chunks.length).toBeLessThanOrEqual(13); // start + ~10 redraws + done
    for (const c of chunks) {
      expect(c.startsWith('\r')).toBe(true);
      expect(c).toContain('\x1b[K');
    }
    // Only the final draw ends the line.
    expect(stream.text().split('\n')).toHaveLength(2);
    const last = chunks.at(-1)!;
    expect(last).toMatch(/^\r✓ twoTower\s+█{24}\s+1,000\/1,000 100%\s+1k\/s\s+1\.0s\s+ok\x1b\[K\n$/);
    const middle = chunks[5]!;
    expect(middle).toMatch(/^\r… twoTower\s+█+[▏▎▍▌▋▊▉]?░+\s+\d{3}\/1,000 \d\d%/);
  });

  it('keeps every line within the terminal width so redraws never wrap', () => {
    const stream = fakeStream(true, 40);
    const stage = createProgress({ stream }).stage('a-very-long-stage-name', 10);
    stage.tick(5, 'a long info string that would not fit');
    stage.done('a summary that is long as well');
    for (const c of stream.chunks) {
      const visible = c.replace(/\r|\n|\x1b\[K/g, '');
      expect([...visible].length).toBeLessThanOrEqual(39);
    }
  });

  it('moves to a new line when a stage starts before the previous one is done', () => {
    const stream = fakeStream(true, 100);
    const progress = createProgress({ stream });
    const a = progress.stage('features', 2);
    const b = progress.stage('baselines', 2);
    b.done();
    a.done();
    const lines = stream.text().split('\n');
    // features' last state, baselines done, features done, then the final empty remainder
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('✓ baselines');
    expect(lines[2]).toContain('✓ features');
  });
});

describe('progress line parts', () => {
  it('formats bar, rate and elapsed time', () => {
    expect(renderBar(0, 8)).toBe('░░░░░░░░');
    expect(renderBar(0.5, 8)).toBe('████░░░░');
    expect(renderBar(1, 8)).toBe('████████');
    expect(renderBar(1 / 16, 8)).toBe('▌░░░░░░░');
    expect(renderBar(2, 4)).toBe('████');
    expect(formatRate(450, 2000)).toBe('225/s');
    expect(formatRate(123_456, 10_000)).toBe('12.3k/s');
    expect(formatRate(1, 0)).toBe('—/s');
    expect(formatElapsed(4400)).toBe('4.4s');
    expect(formatElapsed(42_000)).toBe('42s');
    expect(formatElapsed(62_000)).toBe('1m02s');
    expect(formatElapsed(3_780_000)).toBe('1h03m');
  });

  it('lays out a TTY line: name, bar, count/total, rate, elapsed, info', () => {
    const line = ttyLine(
      { name: 'dcn', count: 250, total: 1000, info: 'loss 0.5523', startMs: 0, nowMs: 2000 },
      { nameWidth: 6, barWidth: 8, columns: 80, mark: '…' },
    );
    expect(line).toBe('… dcn     ██░░░░░░  250/1,000 25%  125/s  2.0s  loss 0.5523');
  });
});

describe('renderSummaryTable', () => {
  it('draws metric, model, baseline and ratio, numbers right-aligned to 4 significant digits', () => {
    const table = renderSummaryTable([
      { metric: 'recall@100', model: 0.33211, baseline: 0.228704 },
      { metric: 'logloss', model: 0.552349, baseline: 0.598149, lowerIsBetter: true },
      { metric: 'ndcg@10 (cold)', model: null, baseline: 0.06 },
    ]);
    expect(table).toBe(
      [
        '┌────────────────┬────────┬──────────┬─────────┐',
        '│ metric         │  model │ baseline │   ratio │',
        '├────────────────┼────────┼──────────┼─────────┤',
        '│ recall@100     │ 0.3321 │   0.2287 │  1.452× │',
        '│ logloss ↓      │ 0.5523 │   0.5981 │ 0.9234× │',
        '│ ndcg@10 (cold) │      — │  0.06000 │       — │',
        '└────────────────┴────────┴──────────┴─────────┘',
        '',
      ].join('\n'),
    );
  });

  it('takes the headline rows of a report as they are', () => {
    const m = (a: number) => ({ 'recall@50': a, 'recall@100': a });
    const f = (a: number) => ({ 'ndcg@10': a, 'precision@10': a, 'map@10': a });
    const r = { dcn: { auc: 0.8, logloss: 0.5 }, logisticRegression: { auc: 0.7, logloss: 0.6 } };
    const counts = { interactions: 10, train: 8, test: 2, trainPositives: 4, testPositives: 1, testUsers: 2, testItems: 2, unseenTestItems: 0, unseenTestInteractions: 0 };
    const report = buildReport({
      dataset: { name: 'tiny', users: 2, items: 5, interactions: 10, positives: 5, feedback: 'implicit', categories: 0 },
      split: { stats: { protocol: 'per-user-temporal', testFraction: 0.2, minInteractions: 5, users: 2, trainOnlyUsers: 0, trainOnlyInteractions: 0, ...counts } },
      retrieval: { twoTower: m(0.4), popularity: m(0.2), ease: m(0.35) },
      ranking: r,
      feed: { served: f(0.3), dcn: f(0.32), ranked: f(0.32), twoTower: f(0.2), ease: f(0.25), itemKnn: f(0.22), popularity: f(0.1) },
      globalSplit: {
        stats: { protocol: 'global-temporal', trainFraction: 0.8, cut: 0, trainUsers: 2, warmTestUsers: 2, coldTestUsers: 0, ...counts },
        retrieval: { twoTower: m(0.4), popularity: m(0.2) },
        ranking: r,
        feed: { served: f(0.3), dcn: f(0.3), popularity: f(0.1) },
        warm: { users: 2, retrieval: { twoTower: m(0.4), popularity: m(0.2) }, feed: { served: f(0.3), dcn: f(0.3), popularity: f(0.1) } },
        cold: { users: 0, retrieval: { twoTower: m(NaN), popularity: m(NaN) }, feed: { served: f(NaN), dcn: f(NaN), popularity: f(NaN) } },
      },
      curves: { loss: { twoTower: [1], dcn: [1] }, recallAtK: { k: [], twoTower: [], popularity: [] } },
      seconds: { load: 0, split: 0, features: 0, baselines: 0, twoTower: 0, dcn: 0, evaluate: 0, shards: 0, export: 0 },
      settings: { seed: 1, epochs: 1 },
    });
    const lines = renderSummaryTable(headlineRows(report), { title: 'ondeck build: per-user split' }).split('\n');
    expect(lines[0]).toBe('ondeck build: per-user split');
    // Title, 3 rules, header, 4 rows, trailing newline.
    expect(lines).toHaveLength(1 + 3 + 1 + 4 + 1);
    // Retrieval against the better of EASE and popularity: 0.4 / 0.35 = 1.142857…
    expect(lines[4]).toMatch(/^│ retrieval recall@100 \(ours vs EASE, best baseline\)\s+│ 0\.4000 │\s+0\.3500 │ 1\.143× │$/);
    expect(lines[5]).toMatch(/^│ ranking AUC \(DCN vs logistic regression\)\s+│ 0\.8000 │\s+0\.7000 │ 1\.143× │$/);
    // The served feed against the best baseline feed (EASE, not the higher `ranked`, which is ours), then most-popular.
    expect(lines[6]).toMatch(/^│ feed NDCG@10 \(served vs EASE, best baseline\)\s+│ 0\.3000 │\s+0\.2500 │ 1\.200× │$/);
    expect(lines[7]).toMatch(/^│ feed NDCG@10 \(served vs popularity\)\s+│ 0\.3000 │\s+0\.1000 │ 3\.000× │$/);
    expect(lines.some((l) => l.includes('logloss'))).toBe(false);

    // Without EASE or other baseline feeds, popularity is the one baseline, named once.
    const global = headlineRows(report.globalSplit);
    expect(global.map((r) => r.metric)).toEqual([
      'retrieval recall@100 (ours vs popularity)',
      'ranking AUC (DCN vs logistic regression)',
      'feed NDCG@10 (served vs popularity)',
    ]);
    expect(global[2]).toMatchObject({ model: 0.3, baseline: 0.1, modelName: 'served', baselineName: 'popularity' });
  });
});
