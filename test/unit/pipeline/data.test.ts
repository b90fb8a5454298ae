import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { requireMovieLens } from '../../support/movielens.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auc } from '../../../src/core/metrics/index.ts';
import { generateSynthetic, globalTemporalSplit, loadCsv, loadEventsExport, loadMovieLens, perUserTemporalSplit } from '../../../src/pipeline/data/index.ts';
import { DatasetError, DatasetOptionError } from '../../../src/pipeline/data/errors.ts';
import { POSITIVE_EVENT_TYPES } from '../../../src/pipeline/data/labels.ts';
import { parseTimestamp } from '../../../src/pipeline/data/timestamp.ts';
import type { Dataset, Interaction } from '../../../src/pipeline/data/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ondeck-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DatasetError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

/** Every invariant the Dataset type promises, checked on real data; returns the first breach. */
function expectWellFormed(ds: Dataset): void {
  // One expect per dataset, not per row: hundreds of thousands of expect calls take seconds.
  const breach = ds.interactions.findIndex((x, i) => {
    const prev = ds.interactions[i - 1];
    return (
      (prev !== undefined && x.at < prev.at) ||
      x.label !== (POSITIVE_EVENT_TYPES.includes(x.type) ? 1 : 0) ||
      !ds.users.has(x.user) ||
      !ds.items.has(x.item) ||
      (x.watchFraction !== undefined && !(x.watchFraction >= 0 && x.watchFraction <= 1))
    );
  });
  expect(breach === -1 ? undefined : ds.interactions[breach]).toBeUndefined();
}

function expectNoLeakagePerUser(train: Interaction[], test: Interaction[]): void {
  const lastTrain = new Map<string, number>();
  for (const x of train) lastTrain.set(x.user, Math.max(lastTrain.get(x.user) ?? -Infinity, x.at));
  expect(test.filter((x) => x.at < (lastTrain.get(x.user) ?? -Infinity))).toEqual([]);
}

describe('MovieLens-100K', () => {
  let ml: Dataset | undefined;
  let loadMs = 0;
  beforeAll(() => {
    const started = performance.now();
    ml = loadMovieLens(requireMovieLens());
    loadMs = performance.now() - started;
  });
  const ds = () => ml!;

  it('loads every rating, user and item, with labels from ratings >= 4', () => {
    console.log(`MovieLens-100K loaded in ${loadMs.toFixed(0)} ms`);
    expect(ds().name).toBe('movielens-100k');
    expect(ds().feedback).toBe('explicit');
    expect(ds().interactions).toHaveLength(100_000);
    expect(ds().users.size).toBe(943);
    expect(ds().items.size).toBe(1682);
    const positives = ds().interactions.filter((x) => x.label === 1);
    expect(positives).toHaveLength(55_375);
    expect(positives.every((x) => x.rating! >= 4 && x.type === 'like')).toBe(true);
    expect(ds().interactions.filter((x) => x.type === 'skip').every((x) => x.rating! <= 3)).toBe(true);
    // u.data line 1 is "196 242 3 881250949": seconds become ms, ids stay strings.
    expect(ds().interactions.find((x) => x.user === '196' && x.item === '242')).toEqual({
      user: '196', item: '242', at: 881_250_949_000, label: 0, type: 'skip', rating: 3,
    });
    expectWellFormed(ds());
  });

  it('reads genres in file order, Latin-1 titles, release dates and user features', () => {
    expect(ds().categories).toEqual([
      'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
      'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
    ]);
    expect(ds().items.get('1')).toEqual({
      id: '1', title: 'Toy Story (1995)', categories: ['Animation', "Children's", 'Comedy'], created: Date.UTC(1995, 0, 1),
    });
    expect(ds().items.get('543')!.title).toBe('Misérables, Les (1995)');
    expect(ds().items.get('1104')!.title).toBe("C'est arrivé près de chez vous (1992)");
    expect(ds().items.get('1252')!.created).toBe(Date.UTC(1997, 5, 27));
    // Item 267 has no title and no release date in the file.
    expect(ds().items.get('267')).toEqual({ id: '267', title: 'unknown', categories: ['unknown'] });
    expect(ds().users.get('1')!.features).toEqual({ age: 24, gender: 'M', occupation: 'technician', zip: '85711' });
  });

  it('per-user temporal split: last 20% of each user, no leakage', () => {
    const { train, test, stats } = perUserTemporalSplit(ds());
    console.log('MovieLens per-user split', stats);
    expect(stats).toMatchObject({
      interactions: 100_000, train: 80_000, test: 20_000, users: 943, testUsers: 943, trainOnlyUsers: 0,
      trainPositives: 45_799, testPositives: 9_576, testItems: 1_501, unseenTestItems: 69, unseenTestInteractions: 86,
    });
    expect(train.length + test.length).toBe(100_000);
    expectNoLeakagePerUser(train, test);
  });

  it('global temporal split: 301 test users, 109 of them warm', () => {
    const { train, test, stats } = globalTemporalSplit(ds());
    console.log('MovieLens global split', stats);
    // The cut is the 80,000th rating's second; 4 ratings share it, the one before it in
    // position 79,999 too, so ties-to-test leaves 79,999 in train.
    expect(stats).toMatchObject({
      cut: 889_237_269_000, train: 79_999, test: 20_001, testUsers: 301, warmTestUsers: 109, coldTestUsers: 192,
      trainUsers: 751, unseenTestItems: 66, unseenTestInteractions: 202,
    });
    expect(Math.max(...train.map((x) => x.at))).toBeLessThan(stats.cut);
    expect(Math.min(...test.map((x) => x.at))).toBe(stats.cut);
  });
});

describe('timestamps', () => {
  it('tells seconds from milliseconds by magnitude and reads ISO 8601 as UTC unless zoned', () => {
    expect(parseTimestamp('881250949')).toBe(881_250_949_000);
    expect(parseTimestamp(881250949.5)).toBe(881_250_949_500);
    expect(parseTimestamp('1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000); // just under 1e11: seconds
    expect(parseTimestamp(100_000_000_000)).toBe(100_000_000_000); // 1e11: milliseconds
    expect(parseTimestamp('2024-03-01')).toBe(Date.UTC(2024, 2, 1));
    expect(parseTimestamp('2024-03-01T12:30:00')).toBe(Date.UTC(2024, 2, 1, 12, 30));
    expect(parseTimestamp('2024-03-01 12:30:00.250Z')).toBe(Date.UTC(2024, 2, 1, 12, 30, 0, 250));
    expect(parseTimestamp('2024-03-01T12:30:00+0200')).toBe(Date.UTC(2024, 2, 1, 10, 30));
    expect(parseTimestamp('2024-03-01T01:00-05:00')).toBe(Date.UTC(2024, 2, 1, 6, 0));
    for (const bad of ['yesterday', '2024-02-30', '03/01/2024', '', '-5', '1700000000000000']) {
      expect(typeof parseTimestamp(bad)).toBe('string');
    }
  });
});

describe('CSV loader', () => {
  it('reads implicit feedback with quoted fields, ISO and unix times, an items file, unknown columns ignored', () => {
    const items = write(
      'items.csv',
      'item_id,title,categories,duration_seconds,created,colour\n' +
        'a,"Cats, dogs and ""friends""",Pets|Comedy,120,2024-01-01T00:00:00Z,red\n' +
        'b,"Two\nlines",Music,,1704067200,blue\n' +
        'c,,,600,,\n',
    );
    const interactions = write(
      'implicit.csv',
      'User_ID,item_id,timestamp,watch_seconds,note\n' +
        'u1,a,2024-03-01T10:00:00Z,60,"hello, world"\n' +
        'u2,b,1709287200,,"multi\nline, note"\n' + // 2024-03-01T10:00:00Z in seconds: tie, keeps input order
        'u1,c,1709280000000,900,x\n' + // ms, 08:00: earliest
        'u3,zz,2024-03-02,,\n' + // an item the items file lacks
        'u3,zz,2024-03-03,,\n',
    );
    const ds = loadCsv({ interactions, items });
    expectWellFormed(ds);
    expect(ds.name).toBe('csv:implicit.csv');
    expect(ds.feedback).toBe('implicit');
    expect(ds.interactions).toEqual([
      { user: 'u1', item: 'c', at: Date.UTC(2024, 2, 1, 8), label: 1, type: 'watch', watchSeconds: 900, watchFraction: 1 },
      { user: 'u1', item: 'a', at: Date.UTC(2024, 2, 1, 10), label: 1, type: 'watch', watchSeconds: 60, watchFraction: 0.5 },
      { user: 'u2', item: 'b', at: Date.UTC(2024, 2, 1, 10), label: 1, type: 'click' },
      { user: 'u3', item: 'zz', at: Date.UTC(2024, 2, 2), label: 1, type: 'click' },
      { user: 'u3', item: 'zz', at: Date.UTC(2024, 2, 3), label: 1, type: 'click' },
    ]);
    expect(ds.items.get('a')).toEqual({
      id: 'a', title: 'Cats, dogs and "friends"', categories: ['Pets', 'Comedy'], durationSeconds: 120, created: Date.UTC(2024, 0, 1),
    });
    expect(ds.items.get('b')).toEqual({ id: 'b', title: 'Two\nlines', categories: ['Music'], created: Date.UTC(2024, 0, 1) });
    expect(ds.items.get('c')).toEqual({ id: 'c', title: 'c', categories: [], durationSeconds: 600 });
    expect(ds.items.get('zz')).toEqual({ id: 'zz', title: 'zz', categories: [] });
    expect(ds.categories).toEqual(['Comedy', 'Music', 'Pets']);
    expect([...ds.users.keys()].sort()).toEqual(['u1', 'u2', 'u3']);
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain('2 interactions name 1 items absent from');
    expect(ds.warnings[0]).toContain('"zz"');
  });

  it('labels from a label column (impressions) or from ratings (explicit)', () => {
    const labelled = loadCsv({
      interactions: write('labelled.csv', 'user_id,item_id,timestamp,label\nu,a,1,1\nu,b,2,false\nu,c,3,TRUE\nu,d,4,0\n'),
    });
    expect(labelled.feedback).toBe('impressions');
    expect(labelled.interactions.map((x) => [x.label, x.type])).toEqual([[1, 'click'], [0, 'impression'], [1, 'click'], [0, 'impression']]);
    const rated = loadCsv({ interactions: write('rated.csv', 'user_id,item_id,timestamp,rating\nu,a,1,4\nu,b,2,3.5\nu,c,3,5\n') });
    expect(rated.feedback).toBe('explicit');
    expect(rated.interactions.map((x) => [x.label, x.type, x.rating])).toEqual([[1, 'like', 4], [0, 'skip', 3.5], [1, 'like', 5]]);
  });

  describe('errors name the file, the line and the column in one line', () => {
    const header = 'user_id,item_id,timestamp,rating,label\n';
    // Line 2 holds a quoted field over two lines, so the bad record on the next row starts on line 4.
    const lead = 'u1,"multi\nline",1700000000,5,1\n';
    const cases: [string, string, number | undefined, string | undefined, string[]][] = [
      ['bad-time.csv', `${header}${lead}u1,b,yesterday,4,1\n`, 4, 'timestamp', ['"yesterday"', 'ISO 8601']],
      ['bad-date.csv', `${header}${lead}u1,b,2024-02-30T10:00:00Z,4,1\n`, 4, 'timestamp', ['"2024-02-30T10:00:00Z"']],
      ['bad-rating.csv', `${header}${lead}u1,b,1700000000,five,1\n`, 4, 'rating', ['"five" is not a number']],
      ['bad-label.csv', `${header}${lead}u1,b,1700000000,4,maybe\n`, 4, 'label', ['"maybe"', '0, 1, true or false']],
      ['empty-user.csv', `${header}${lead},b,1700000000,4,1\n`, 4, 'user_id', ['empty']],
      ['unclosed.csv', `${header}${lead}u1,"b,1700000000,4,1\n`, 4, undefined, ['malformed CSV']],
    ];
    for (const [name, text, line, column, phrases] of cases) {
      it(name, () => {
        const file = write(name, text);
        const err = errorOf(() => loadCsv({ interactions: file }));
        expect(err.name).toBe('DatasetError');
        expect(err.message).not.toContain('\n');
        expect(err.message.startsWith(`${file}:${line}: `)).toBe(true);
        expect([err.file, err.line, err.column]).toEqual([file, line, column]);
        if (column !== undefined) expect(err.message).toContain(`column "${column}"`);
        for (const p of phrases) expect(err.message).toContain(p);
      });
    }

    it('a missing file, an empty file, a header with no rows', () => {
      const missing = join(tmp, 'nope.csv');
      expect(errorOf(() => loadCsv({ interactions: missing })).message).toBe(`${missing}: interactions CSV not found`);
      const empty = write('empty.csv', '\n  \n');
      expect(errorOf(() => loadCsv({ interactions: empty })).message).toBe(
        `${empty}: interactions CSV is empty; expected a header line with user_id, item_id, timestamp`,
      );
      const headerOnly = write('header-only.csv', 'user_id,item_id,timestamp\n');
      expect(errorOf(() => loadCsv({ interactions: headerOnly })).message).toBe(`${headerOnly}: interactions CSV has a header but no data rows`);
      const missingItems = join(tmp, 'no-items.csv');
      const ok = write('ok.csv', 'user_id,item_id,timestamp\nu,a,1\n');
      expect(errorOf(() => loadCsv({ interactions: ok, items: missingItems })).message).toBe(`${missingItems}: items CSV not found`);
    });

    it('a header without the required columns names every missing one and lists those found', () => {
      const file = write('bad-header.csv', 'user,item_id,time,rating\nu,a,1,5\n');
      const err = errorOf(() => loadCsv({ interactions: file }));
      expect(err.message).toBe(`${file}:1: header lacks required columns user_id, timestamp; found: user, item_id, time, rating`);
    });

    it('items file problems name their own file', () => {
      const items = write('bad-items.csv', 'item_id,duration_seconds\na,12\nb,long\n');
      const interactions = write('ok2.csv', 'user_id,item_id,timestamp\nu,a,1\n');
      const err = errorOf(() => loadCsv({ interactions, items }));
      expect(err.message).toBe(`${items}:3: column "duration_seconds": "long" is not a number`);
    });
  });
});

describe('events export loader', () => {
  it('maps installs to users and event types to labels, with watch fractions', () => {
    const file = write(
      'events.jsonl',
      [
        '{"install":"i1","item":"x","type":"impression","at":"2024-05-01T10:00:00Z"}',
        '{"install":"i1","item":"x","type":"watch","at":1714557605000,"watchSeconds":30,"durationSeconds":60}',
        '',
        '{"install":"i2","item":"y","type":"hide","at":"2024-05-01T09:00:00Z"}',
        '{"install":"i2","item":"x","type":"like","at":"2024-05-01T11:00:00Z"}',
      ].join('\n'),
    );
    const ds = loadEventsExport(file);
    expectWellFormed(ds);
    expect(ds.feedback).toBe('impressions');
    expect(ds.interactions).toEqual([
      { user: 'i2', item: 'y', at: Date.UTC(2024, 4, 1, 9), label: 0, type: 'hide' },
      { user: 'i1', item: 'x', at: Date.UTC(2024, 4, 1, 10), label: 0, type: 'impression' },
      { user: 'i1', item: 'x', at: Date.UTC(2024, 4, 1, 10, 0, 5), label: 1, type: 'watch', watchSeconds: 30, watchFraction: 0.5 },
      { user: 'i2', item: 'x', at: Date.UTC(2024, 4, 1, 11), label: 1, type: 'like' },
    ]);
    expect(ds.items.get('x')).toEqual({ id: 'x', title: 'x', categories: [], durationSeconds: 60 });
  });

  it('errors name the line and the field', () => {
    const ok = '{"install":"i1","item":"x","type":"click","at":1714557605000}';
    const cases: [string, string, string][] = [
      ['{"install":"i1","item":"x","type":"view","at":1}', 'type', '"view" is not an event type; use one of impression, click'],
      ['{"install":"i1","item":"x","type":"click","at":"soon"}', 'at', 'cannot read "soon" as a timestamp'],
      ['{"install":"","item":"x","type":"click","at":1}', 'install', 'expected a non-empty string'],
      ['{"install":"i1","item":"x","type":"click","at":1,"watchSeconds":"10"}', 'watchSeconds', 'expected a number >= 0'],
    ];
    for (const [line, field, phrase] of cases) {
      const file = write('bad-events.jsonl', `${ok}\n${ok}\n${line}\n`);
      const err = errorOf(() => loadEventsExport(file));
      expect(err.message.startsWith(`${file}:3: field "${field}": `)).toBe(true);
      expect(err.message).toContain(phrase);
    }
    const notJson = write('not-json.jsonl', `${ok}\n{oops\n`);
    expect(errorOf(() => loadEventsExport(notJson)).message).toMatch(new RegExp(`^${notJson}:2: not valid JSON`));
  });
});

describe('synthetic video platform', () => {
  let ds: Dataset;
  let generateMs = 0;
  beforeAll(() => {
    const t0 = performance.now();
    ds = generateSynthetic({ seed: 7 });
    generateMs = performance.now() - t0;
  });

  it('is deterministic: same seed, same dataset; another seed, another one', () => {
    const small = { users: 200, items: 300, days: 20 };
    const a = generateSynthetic({ seed: 1, ...small });
    const b = generateSynthetic({ seed: 1, ...small });
    expect(b.interactions).toEqual(a.interactions);
    expect([...b.items.values()]).toEqual([...a.items.values()]);
    expect([...b.users.values()]).toEqual([...a.users.values()]);
    expect(generateSynthetic({ seed: 2, ...small }).interactions).not.toEqual(a.interactions);
  });

  it('has the default size and shape, quickly', () => {
    const n = ds.interactions.length;
    const clicks = ds.interactions.filter((x) => x.label === 1);
    const ctr = clicks.length / n;
    const meanWatch = clicks.reduce((s, x) => s + x.watchFraction!, 0) / clicks.length;
    console.log(
      `synthetic seed 7: ${n} interactions, ${ds.users.size} users, ${ds.items.size} items, ` +
        `CTR ${ctr.toFixed(4)}, mean watch fraction ${meanWatch.toFixed(3)}, generated in ${generateMs.toFixed(0)} ms`,
    );
    expectWellFormed(ds);
    expect(n).toBeGreaterThan(100_000);
    expect(n).toBeLessThan(300_000);
    // generateMs is logged, not asserted: speed belongs to the benchmarks on this shared machine.
    expect(ds.feedback).toBe('impressions');
    expect(ds.users.size).toBe(2000);
    expect(ds.items.size).toBe(3000);
    expect(ds.categories).toHaveLength(12);
    expect(ctr).toBeGreaterThan(0.05);
    expect(ctr).toBeLessThan(0.25);
    expect(clicks.every((x) => x.type === 'click' && x.watchSeconds !== undefined)).toBe(true);
    expect(ds.interactions.filter((x) => x.label === 0).every((x) => x.type === 'impression' && x.watchSeconds === undefined)).toBe(true);
    const item = ds.items.get('v1')!;
    expect(item.title).toMatch(new RegExp(`^${item.categories[0]} #1 — \\w+`));
    expect([...ds.items.values()].filter((it) => !(it.durationSeconds! >= 30 && it.durationSeconds! <= 3600))).toEqual([]);
    // Nothing is shown before it is uploaded.
    expect(ds.interactions.every((x) => ds.items.get(x.item)!.created! <= x.at)).toBe(true);
  });

  it("a user's favourite categories predict future clicks far better than popularity", () => {
    const { train, test } = perUserTemporalSplit(ds);
    const categoryOf = (id: string) => ds.items.get(id)!.categories[0]!;
    const histogram = new Map<string, Map<string, number>>();
    const popularity = new Map<string, number>();
    for (const x of train) {
      if (x.label === 0) continue;
      popularity.set(x.item, (popularity.get(x.item) ?? 0) + 1);
      const h = histogram.get(x.user) ?? new Map<string, number>();
      histogram.set(x.user, h);
      h.set(categoryOf(x.item), (h.get(categoryOf(x.item)) ?? 0) + 1);
    }
    const testByUser = new Map<string, Interaction[]>();
    for (const x of test) testByUser.set(x.user, [...(testByUser.get(x.user) ?? []), x]);

    // Per-user AUC over the user's test impressions: are the clicked ones ranked above the rest?
    let aucCategory = 0;
    let aucPopularity = 0;
    let users = 0;
    // Watch fraction of test clicks inside vs outside the user's top training category.
    const watch = { inside: [0, 0], outside: [0, 0] };
    for (const [user, xs] of testByUser) {
      const h = histogram.get(user);
      if (h === undefined) continue;
      const labels = xs.map((x) => x.label);
      const positives = labels.filter((l) => l === 1).length;
      if (positives > 0 && positives < labels.length) {
        aucCategory += auc(labels, xs.map((x) => h.get(categoryOf(x.item)) ?? 0));
        aucPopularity += auc(labels, xs.map((x) => popularity.get(x.item) ?? 0));
        users++;
      }
      const top = [...h].sort((a, b) => b[1] - a[1])[0]![0];
      for (const x of xs) {
        if (x.label === 0) continue;
        const side = categoryOf(x.item) === top ? watch.inside : watch.outside;
        side[0]! += x.watchFraction!;
        side[1]! += 1;
      }
    }
    aucCategory /= users;
    aucPopularity /= users;
    const watchInside = watch.inside[0]! / watch.inside[1]!;
    const watchOutside = watch.outside[0]! / watch.outside[1]!;
    console.log(
      `signal over ${users} users: AUC category histogram ${aucCategory.toFixed(3)} vs popularity ${aucPopularity.toFixed(3)}; ` +
        `watch fraction of clicks in the top category ${watchInside.toFixed(3)} vs outside ${watchOutside.toFixed(3)}`,
    );
    expect(users).toBeGreaterThan(1000);
    expect(aucCategory).toBeGreaterThan(0.68);
    expect(aucCategory - aucPopularity).toBeGreaterThan(0.12);
    expect(watchInside - watchOutside).toBeGreaterThan(0.2);
  });
});

describe('splits', () => {
  const at = (user: string, item: string, t: number): Interaction => ({ user, item, at: t, label: 1, type: 'click' });
  // u1: 10 events, u2: 5, u3: 2 (below minInteractions), with a tie at t = 5.
  const tiny = {
    interactions: [
      ...Array.from({ length: 10 }, (_, i) => at('u1', `a${i}`, i)),
      ...Array.from({ length: 5 }, (_, i) => at('u2', `b${i}`, i + 3)),
      at('u3', 'a0', 1),
      at('u3', 'new', 6),
    ].sort((x, y) => x.at - y.at),
  };

  it('per user: the latest 20% (at least one) of each user, short histories wholly in train', () => {
    const { train, test, stats } = perUserTemporalSplit(tiny);
    expect(test.map((x) => x.item).sort()).toEqual(['a8', 'a9', 'b4']);
    expect(train).toHaveLength(14);
    expect(stats).toMatchObject({ users: 3, testUsers: 2, trainOnlyUsers: 1, trainOnlyInteractions: 2, unseenTestItems: 3, unseenTestInteractions: 3 });
    expectNoLeakagePerUser(train, test);
  });

  it('global: a cut in time, ties at the cut go to test, cold test users counted', () => {
    // 17 events; floor(0.8 * 17) = 13 -> the 14th in time order, at t = 7, tied with the 15th.
    const { train, test, stats } = globalTemporalSplit(tiny);
    expect(stats.cut).toBe(7);
    expect(train.every((x) => x.at < 7) && test.every((x) => x.at >= 7)).toBe(true);
    expect(stats).toMatchObject({ train: 13, test: 4, testUsers: 2, warmTestUsers: 2, coldTestUsers: 0 });
    const withCold = globalTemporalSplit({ interactions: [...tiny.interactions, at('u9', 'a9', 100)] });
    expect(withCold.stats).toMatchObject({ warmTestUsers: 2, coldTestUsers: 1 });
  });

  it('no leakage on the synthetic data, both protocols', () => {
    const ds = generateSynthetic({ seed: 3, users: 300, items: 500, days: 30 });
    const perUser = perUserTemporalSplit(ds);
    expectNoLeakagePerUser(perUser.train, perUser.test);
    expect(perUser.train.length + perUser.test.length).toBe(ds.interactions.length);
    const global = globalTemporalSplit(ds);
    expect(Math.max(...global.train.map((x) => x.at))).toBeLessThanOrEqual(global.stats.cut);
    expect(Math.min(...global.test.map((x) => x.at))).toBeGreaterThanOrEqual(global.stats.cut);
    expect(global.stats.train / ds.interactions.length).toBeCloseTo(0.8, 2);
  });

  it('bad options name the option', () => {
    expect(() => perUserTemporalSplit(tiny, { testFraction: 1.2 })).toThrow(DatasetOptionError);
    expect(() => perUserTemporalSplit(tiny, { minInteractions: 1 })).toThrow(/minInteractions/);
    expect(() => globalTemporalSplit(tiny, { trainFraction: 0 })).toThrow(/trainFraction/);
    expect(() => generateSynthetic({ seed: 1.5 })).toThrow(/seed/);
  });
});
