// `ondeck build` end to end on a CSV dataset it has never seen: the models must beat the
// baselines there too, the same seed must give the same metrics, and the release must verify.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runBuild } from '../../../src/pipeline/build/index.ts';
import { createProgress } from '../../../src/pipeline/progress/index.ts';
import { verifyRelease } from '../../../src/pipeline/release/index.ts';
import { parseManifest } from '../../../src/core/release/index.ts';
import { writeTasteCsv } from '../../support/taste-csv.ts';
import { loadCsv } from '../../../src/pipeline/data/index.ts';
import { itemRecord } from '../../../src/pipeline/features/item-record.ts';
import { decodeShard } from '../../../src/core/shard/index.ts';
import { categoryVocab, shardItemRecord } from '../../../src/core/feed/index.ts';

const quiet = () => createProgress({ stream: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }), enabled: false });

describe('ondeck build on a generated CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ondeck-build-'));
  const csv = writeTasteCsv(join(dir, 'data'));
  const options = (out: string) => ({ dataset: 'csv' as const, path: csv.interactions, items: csv.items, out, epochs: 4, seed: 7, releaseFrom: 'split' as const });
  // The same build through the CLI, in a process of its own: it runs beside the in-process one
  // (the two cores both work) instead of after it, and checks determinism across processes.
  const cliBuild = (out: string) =>
    new Promise<void>((resolve, reject) => {
      const args = ['build', '--dataset', 'csv', '--path', csv.interactions, '--items', csv.items, '--out', out, '--epochs', '4', '--seed', '7', '--release-from', 'split'];
      const child = spawn(process.execPath, ['src/cli/ondeck.mjs', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ondeck build ${args.join(' ')} exited with ${code}:\n${stderr.slice(-4000)}`))));
    });
  const reportJson = (out: string) => JSON.parse(readFileSync(join(dir, out, 'report.json'), 'utf8')) as Record<string, unknown>;

  it('beats the baselines, is deterministic, and writes a verifiable release', async () => {
    const [a] = await Promise.all([runBuild(options(join(dir, 'a')), quiet()), cliBuild(join(dir, 'b'))]);
    const r = a.report;
    console.log(JSON.stringify({ retrieval: r.retrieval, ranking: r.ranking, feed: r.feed }));
    expect(r.dataset.users).toBe(300);
    expect(r.retrieval.twoTower['recall@100']!).toBeGreaterThan(r.retrieval.popularity['recall@100']!);
    // Ranking AUC is measured on the feed's own candidates, where logistic regression also gets
    // the retrieval score: on 300 users (240 validation lists to learn from) the DCN ties with it
    // (0.868 vs 0.875 here), while on MovieLens-100K it leads by 0.03 (README). Both order a
    // user's candidates far better than chance.
    expect(r.ranking.dcn.auc!).toBeGreaterThan(0.85);
    expect(Math.abs(r.ranking.dcn.auc! - r.ranking.logisticRegression.auc!)).toBeLessThan(0.02);
    expect(r.feed.served['ndcg@10']!).toBeGreaterThan(3 * r.feed.popularity['ndcg@10']!);
    expect(r.feed.dcn).toEqual(r.feed.ranked);
    for (const key of ['ease', 'itemKnn', 'twoTower'] as const) expect(r.feed[key]!['ndcg@10']).toBeGreaterThan(r.feed.popularity['ndcg@10']!);

    // Same seed, same data: the same figures (report.json holds the whole report, NaN as null).
    const [ja, jb] = [reportJson('a'), reportJson('b')];
    for (const key of ['retrieval', 'ranking', 'feed', 'globalSplit', 'curves'] as const) {
      expect(ja[key]).toBeDefined();
      expect(jb[key]).toEqual(ja[key]);
    }

    const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8')));
    expect(manifest.models.ranker.outputs.pClick).toBe('p_click');
    expect(manifest.models.userTower?.outputs.userVector).toBe('user_vector');
    const verified = await verifyRelease(join(dir, 'a'));
    expect(verified.items).toBe(400);
    const report = JSON.parse(readFileSync(join(dir, 'a', 'report.json'), 'utf8'));
    expect(report.retrieval.twoTower['recall@100']).toBe(r.retrieval.twoTower['recall@100']);
    expect(readFileSync(join(dir, 'a', 'report.md'), 'utf8')).toContain('## Protocols');

    // The device rebuilds each item's features from the shard exactly as training saw them.
    const ds = loadCsv({ interactions: csv.interactions, items: csv.items });
    const vocab = categoryVocab(manifest.featureSpec);
    let checked = 0;
    for (const a of manifest.artifacts.filter((x) => x.kind === 'shard')) {
      const shard = decodeShard(new Uint8Array(readFileSync(join(dir, 'a', a.url))));
      for (let i = 0; i < shard.count; i++) {
        const device = shardItemRecord(shard, i, vocab);
        const trained = itemRecord(ds.items.get(device.id)!, device.popularity);
        expect(device).toEqual({ ...trained, categories: [...trained.categories] });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(400);
  }, 240_000);
});
