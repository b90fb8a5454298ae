import { describe, expect, it } from 'vitest';
import type { GlobalSplitStats, PerUserSplitStats } from '../../../src/pipeline/data/index.ts';
import { buildReport, summarizeDataset } from '../../../src/pipeline/report/index.ts';
import { ReportError } from '../../../src/pipeline/report/errors.ts';
import { serializeReport, validateReport, type ReportParts } from '../../../src/pipeline/report/report-json.ts';
import { describeGlobalSplit } from '../../../src/pipeline/report/split-definitions.ts';
import { generateSynthetic } from '../../../src/pipeline/data/index.ts';

const counts = {
  interactions: 1000,
  train: 800,
  test: 200,
  trainPositives: 300,
  testPositives: 70,
  testUsers: 90,
  testItems: 150,
  unseenTestItems: 12,
  unseenTestInteractions: 15,
};

const perUser: PerUserSplitStats = {
  protocol: 'per-user-temporal',
  testFraction: 0.2,
  minInteractions: 5,
  users: 100,
  trainOnlyUsers: 10,
  trainOnlyInteractions: 30,
  ...counts,
};

const global: GlobalSplitStats = {
  protocol: 'global-temporal',
  trainFraction: 0.8,
  cut: Date.UTC(1998, 2, 1),
  trainUsers: 70,
  warmTestUsers: 20,
  coldTestUsers: 70,
  ...counts,
};

const retrieval = () => ({
  twoTower: { 'recall@50': 0.2, 'recall@100': 0.3, 'recall@20': 0.1 },
  popularity: { 'recall@50': 0.1, 'recall@100': 0.2 },
  ease: { 'recall@50': 0.19, 'recall@100': 0.29 },
});
const ranked = () => ({ 'ndcg@10': 0.25, 'precision@10': 0.2, 'map@10': 0.15, coverage: 0.4, diversity: 0.6 });
const feed = () => ({
  served: { 'ndcg@10': 0.24, 'precision@10': 0.19, 'map@10': 0.14, coverage: 0.5, diversity: 0.7 },
  dcn: ranked(),
  ranked: ranked(),
  twoTower: { 'ndcg@10': 0.18, 'precision@10': 0.15, 'map@10': 0.1, coverage: 0.3, diversity: 0.5 },
  ease: { 'ndcg@10': 0.2, 'precision@10': 0.17, 'map@10': 0.12, coverage: 0.2, diversity: 0.4 },
  itemKnn: { 'ndcg@10': 0.19, 'precision@10': 0.16, 'map@10': 0.11, coverage: 0.25, diversity: 0.45 },
  popularity: { 'ndcg@10': 0.1, 'precision@10': 0.08, 'map@10': 0.05, coverage: 0.02, diversity: 0.3 },
});
/** Warm and cold users get the served feed and most-popular only. */
const cohortFeed = () => ({
  served: { 'ndcg@10': 0.24, 'precision@10': 0.19, 'map@10': 0.14 },
  dcn: { 'ndcg@10': 0.24, 'precision@10': 0.19, 'map@10': 0.14 },
  popularity: { 'ndcg@10': 0.1, 'precision@10': 0.08, 'map@10': 0.05 },
});
const ranking = () => ({ dcn: { auc: 0.8, logloss: 0.5 }, logisticRegression: { auc: 0.7, logloss: 0.6 } });

function parts(): ReportParts {
  return {
    dataset: { name: 'movielens-100k', users: 100, items: 200, interactions: 1000, positives: 370, feedback: 'explicit', categories: 19 },
    split: { stats: perUser },
    retrieval: retrieval(),
    ranking: ranking(),
    feed: feed(),
    globalSplit: {
      stats: global,
      retrieval: retrieval(),
      ranking: ranking(),
      feed: feed(),
      warm: { users: 20, retrieval: retrieval(), feed: cohortFeed() },
      // No cold user had a positive: the metrics are undefined there, NaN in memory.
      cold: {
        users: 0,
        retrieval: { twoTower: { 'recall@50': NaN, 'recall@100': NaN }, popularity: { 'recall@50': NaN, 'recall@100': NaN } },
        feed: cohortFeed(),
      },
    },
    curves: {
      loss: { twoTower: [5, 4, 3.5], dcn: [0.6, 0.55, 0.52] },
      recallAtK: { k: [10, 50, 100], twoTower: [0.1, 0.2, 0.3], popularity: [0.05, 0.1, 0.2] },
    },
    seconds: { load: 1, split: 0.5, features: 2, baselines: 1, twoTower: 10, dcn: 8, evaluate: 3, shards: 1, export: 0.5 },
    settings: {
      seed: 42,
      epochs: 3,
      batchSize: 512,
      towers: { dim: 32 },
      retrieval: { lambda: 300, halfLifeEvents: 20, easeLambda: 500 },
      validation: [{ lambda: 300, halfLifeEvents: 20, ndcg: 0.21 }],
      dcnEpochs: 4,
    },
  };
}

/** Every dotted path to a leaf; arrays count as leaves. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The keys the benchmark and the README read; the contract of report.json. */
const CONTRACT = [
  'dataset.name', 'dataset.users', 'dataset.items', 'dataset.interactions', 'dataset.positives', 'dataset.feedback', 'dataset.categories',
  'split.protocol', 'split.definition', 'split.train', 'split.test',
  'retrieval.twoTower.recall@50', 'retrieval.twoTower.recall@100', 'retrieval.popularity.recall@50', 'retrieval.popularity.recall@100',
  'ranking.dcn.auc', 'ranking.dcn.logloss', 'ranking.logisticRegression.auc', 'ranking.logisticRegression.logloss',
  'feed.served.ndcg@10', 'feed.served.precision@10', 'feed.served.map@10',
  'feed.dcn.ndcg@10', 'feed.dcn.precision@10', 'feed.dcn.map@10',
  'feed.popularity.ndcg@10', 'feed.popularity.precision@10', 'feed.popularity.map@10',
  'globalSplit.split.protocol', 'globalSplit.split.definition',
  'globalSplit.retrieval.twoTower.recall@100', 'globalSplit.ranking.dcn.auc', 'globalSplit.feed.served.ndcg@10', 'globalSplit.feed.dcn.ndcg@10',
  'globalSplit.warm.users', 'globalSplit.warm.retrieval.twoTower.recall@50', 'globalSplit.warm.feed.popularity.map@10',
  'globalSplit.cold.users', 'globalSplit.cold.retrieval.popularity.recall@100', 'globalSplit.cold.feed.served.ndcg@10', 'globalSplit.cold.feed.dcn.ndcg@10',
  'curves.loss.twoTower', 'curves.loss.dcn', 'curves.recallAtK.k', 'curves.recallAtK.twoTower', 'curves.recallAtK.popularity',
  'seconds.load', 'seconds.split', 'seconds.features', 'seconds.baselines', 'seconds.twoTower', 'seconds.dcn',
  'seconds.evaluate', 'seconds.shards', 'seconds.export', 'seconds.total',
  'settings.seed', 'settings.epochs',
];

function without(obj: unknown, path: string): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(obj));
  const keys = path.split('.');
  let at = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  delete at[keys.at(-1)!];
  return copy;
}

describe('buildReport', () => {
  it('has every key of the contract, with the values given', () => {
    const report = buildReport(parts());
    const paths = new Set(leafPaths(report));
    for (const key of CONTRACT) expect(paths, key).toContain(key);
    expect(Object.keys(report)).toEqual([
      'dataset', 'split', 'retrieval', 'ranking', 'feed', 'globalSplit', 'curves', 'seconds', 'settings',
    ]);
    expect(report.feed.dcn['ndcg@10']).toBe(0.25);
    expect(report.feed.dcn.coverage).toBe(0.4); // extras kept
    expect(report.retrieval.twoTower['recall@20']).toBe(0.1);
    expect(report.split.protocol).toBe('per-user-temporal');
    expect(report.split.testUsers).toBe(90); // the split stats are spread in
    expect(report.globalSplit.split.coldTestUsers).toBe(70);
    expect(report.settings.towers).toEqual({ dim: 32 });
  });

  it('keeps the optional feeds, EASE retrieval and what validation chose', () => {
    const report = buildReport(parts());
    expect(Object.keys(report.feed)).toEqual(['served', 'dcn', 'popularity', 'ranked', 'twoTower', 'ease', 'itemKnn']);
    expect(report.feed.served['ndcg@10']).toBe(0.24);
    expect(report.feed.ease?.['ndcg@10']).toBe(0.2);
    expect(report.feed.itemKnn?.coverage).toBe(0.25);
    expect(report.retrieval.ease?.['recall@100']).toBe(0.29);
    expect(report.globalSplit.warm.feed.served['ndcg@10']).toBe(0.24);
    expect(report.settings.retrieval).toEqual({ lambda: 300, halfLifeEvents: 20, easeLambda: 500 });
    expect(report.settings.dcnEpochs).toBe(4);
  });

  it('builds a report without the optional feeds and retrieval', () => {
    const p = parts();
    const { served, dcn, popularity } = feed();
    p.feed = { served, dcn, popularity };
    p.retrieval = { twoTower: retrieval().twoTower, popularity: retrieval().popularity };
    const report = buildReport(p);
    expect(Object.keys(report.feed)).toEqual(['served', 'dcn', 'popularity']);
    expect(report.retrieval.ease).toBeUndefined();
  });

  it('writes an undefined metric of an optional feed as null', () => {
    const p = parts();
    p.feed.ease = { 'ndcg@10': NaN, 'precision@10': 0.1, 'map@10': 0.1 };
    expect(buildReport(p).feed.ease?.['ndcg@10']).toBeNull();
  });

  it('sums the stages into total unless a total is given', () => {
    expect(buildReport(parts()).seconds.total).toBe(27);
    const p = parts();
    p.seconds.total = 30;
    expect(buildReport(p).seconds.total).toBe(30);
  });

  it('writes undefined metrics as null, which survive JSON and validation', () => {
    const report = buildReport(parts());
    expect(report.globalSplit.cold.retrieval.twoTower['recall@50']).toBeNull();
    const back: unknown = JSON.parse(serializeReport(report));
    expect(validateReport(back)).toEqual(report);
  });

  it('writes the protocol definitions from the split parameters', () => {
    const report = buildReport(parts());
    expect(report.split.definition).toContain('latest 20%');
    expect(report.split.definition).toContain('at least 5');
    expect(report.globalSplit.split.definition).toContain('1998-03-01T00:00:00.000Z');
    // 70 of 90 test users are cold: the text says so, and for MovieLens why.
    expect(report.globalSplit.split.definition).toContain('70 of 90 test users (77.8%)');
    expect(report.globalSplit.split.definition).toContain('mostly measures cold start');
    expect(report.globalSplit.split.definition).toContain('as expected on MovieLens');
    const given = parts();
    given.split.definition = 'my own words';
    expect(buildReport(given).split.definition).toBe('my own words');
  });

  it('says "mostly warm" when most test users are warm, and leaves MovieLens out of other datasets', () => {
    const text = describeGlobalSplit({ ...global, warmTestUsers: 80, coldTestUsers: 10 }, 'synthetic-seed1');
    expect(text).toContain('10 of 90 test users (11.1%)');
    expect(text).not.toContain('mostly measures cold start');
    expect(text).not.toContain('MovieLens');
  });

  it('summarizes a loaded dataset', () => {
    const ds = generateSynthetic({ seed: 3, users: 30, items: 40, days: 5 });
    const s = summarizeDataset(ds);
    expect(s.users).toBe(ds.users.size);
    expect(s.items).toBe(ds.items.size);
    expect(s.interactions).toBe(ds.interactions.length);
    expect(s.positives).toBe(ds.interactions.filter((x) => x.label === 1).length);
    expect(s.categories).toBe(ds.categories.length);
    expect(s.feedback).toBe(ds.feedback);
  });
});

describe('validateReport', () => {
  it('names the missing key', () => {
    const report = buildReport(parts());
    const broken = without(report, 'feed.dcn.ndcg@10');
    expect(() => validateReport(broken)).toThrow(ReportError);
    try {
      validateReport(broken);
    } catch (err) {
      expect(err).toBeInstanceOf(ReportError);
      const e = err as ReportError;
      expect(e.name).toBe('ReportError');
      expect(e.field).toBe('feed.dcn.ndcg@10');
      expect(e.message).toBe('feed.dcn.ndcg@10: missing');
    }
  });

  it.each(CONTRACT)('names %s when it is missing', (key) => {
    const broken = without(buildReport(parts()), key);
    expect(() => validateReport(broken)).toThrow(expect.objectContaining({ name: 'ReportError', field: key }));
  });

  it('names a mistyped value and a bad extra metric', () => {
    const report = buildReport(parts());
    const bad = JSON.parse(JSON.stringify(report)) as Record<string, Record<string, Record<string, unknown>>>;
    bad.ranking!.dcn!.auc = '0.8';
    expect(() => validateReport(bad)).toThrow(expect.objectContaining({ field: 'ranking.dcn.auc' }));
    const extra = JSON.parse(JSON.stringify(report)) as Record<string, Record<string, Record<string, unknown>>>;
    extra.feed!.dcn!.coverage = 'lots';
    expect(() => validateReport(extra)).toThrow(expect.objectContaining({ field: 'feed.dcn.coverage' }));
  });

  it('rejects a feed without the served feed, in either protocol and in a cohort', () => {
    for (const path of ['feed.served', 'globalSplit.feed.served', 'globalSplit.warm.feed.served']) {
      const broken = without(buildReport(parts()), path);
      expect(() => validateReport(broken), path).toThrow(expect.objectContaining({ name: 'ReportError', field: path, message: `${path}: missing` }));
    }
  });

  it('checks the optional feeds and EASE retrieval when present', () => {
    const report = buildReport(parts());
    const bad = JSON.parse(JSON.stringify(report)) as { feed: { ease: Record<string, unknown> }; retrieval: { ease: Record<string, unknown> } };
    bad.feed.ease['ndcg@10'] = 'high';
    expect(() => validateReport(bad)).toThrow(expect.objectContaining({ field: 'feed.ease.ndcg@10' }));
    const missing = without(report, 'retrieval.ease.recall@100');
    expect(() => validateReport(missing)).toThrow(expect.objectContaining({ field: 'retrieval.ease.recall@100' }));
  });

  it('checks what validation chose when recorded', () => {
    const report = buildReport(parts());
    const bad = JSON.parse(JSON.stringify(report)) as { settings: { retrieval: Record<string, unknown>; dcnEpochs: unknown } };
    bad.settings.retrieval.lambda = '300';
    expect(() => validateReport(bad)).toThrow(expect.objectContaining({ field: 'settings.retrieval.lambda' }));
    const noRecency = JSON.parse(JSON.stringify(report)) as typeof bad;
    noRecency.settings.retrieval.halfLifeEvents = null;
    expect(validateReport(noRecency).settings.retrieval?.halfLifeEvents).toBeNull();
    const epochs = JSON.parse(JSON.stringify(report)) as typeof bad;
    epochs.settings.dcnEpochs = 2.5;
    expect(() => validateReport(epochs)).toThrow(expect.objectContaining({ field: 'settings.dcnEpochs' }));
  });

  it('rejects a recall curve with a value count other than the k count', () => {
    const p = parts();
    p.curves.recallAtK.popularity = [0.1, 0.2];
    expect(() => buildReport(p)).toThrow(expect.objectContaining({ field: 'curves.recallAtK.popularity' }));
  });

  it('rejects the wrong protocol in the headline split', () => {
    const bad = JSON.parse(JSON.stringify(buildReport(parts()))) as { split: { protocol: string } };
    bad.split.protocol = 'global-temporal';
    expect(() => validateReport(bad)).toThrow(expect.objectContaining({ field: 'split.protocol' }));
  });

  it('rejects something that is not an object at all', () => {
    expect(() => validateReport(null)).toThrow(ReportError);
    expect(() => validateReport({})).toThrow(expect.objectContaining({ field: 'dataset' }));
  });
});
