/**
 * [quality]: the pipeline's report.json headline numbers for MovieLens-100K, from a real build
 * (`ondeck build --dataset movielens`, about 3 minutes on 2 cores). The report of a build is kept
 * under test/bench/.results/ by commit, so a later run of the same commit reads it instead of
 * training again; --quick never trains (its figures are null when no report is kept).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchFigure, BenchSuite } from './types.ts';
import { ML100K_DIR } from '../support/movielens.ts';

const DATASET = ML100K_DIR;

interface Report {
  dataset: { users: number; items: number; interactions: number };
  retrieval: Record<string, Record<string, number>>;
  ranking: Record<string, { auc: number; logloss: number }>;
  feed: Record<string, Record<string, number>>;
  seconds?: { total: number };
}

function commit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function unavailable(reason: string): BenchFigure[] {
  return [{ key: 'quality.retrieval.twoTower.recall@100', label: 'MovieLens quality', value: NaN, unit: '', note: reason }];
}

export const qualityBench: BenchSuite = {
  name: 'quality (MovieLens-100K)',
  async run({ quick }) {
    const kept = resolve(`test/bench/.results/quality-report-${commit()}.json`);
    if (!existsSync(kept)) {
      if (quick) return unavailable('not measured with --quick (it trains for about 3 minutes); run npm run bench without --quick');
      if (!existsSync(join(DATASET, 'u.data'))) return unavailable(`MovieLens-100K not found at ${DATASET}`);
      const out = mkdtempSync(join(tmpdir(), 'ondeck-quality-'));
      try {
        const r = spawnSync(process.execPath, ['src/cli/ondeck.mjs', 'build', '--dataset', 'movielens', '--path', DATASET, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        if (r.status !== 0) throw new Error(`ondeck build --dataset movielens failed:\n${(r.stdout + r.stderr).split('\n').slice(-20).join('\n')}`);
        mkdirSync(resolve('test/bench/.results'), { recursive: true });
        writeFileSync(kept, readFileSync(join(out, 'report.json')));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
    const report = JSON.parse(readFileSync(kept, 'utf8')) as Report;
    const note = `${report.dataset.users} users, ${report.dataset.items} items, ${report.dataset.interactions} ratings; per-user temporal split`;
    const figures: BenchFigure[] = [];
    for (const [model, metrics] of Object.entries(report.retrieval)) {
      for (const [metric, value] of Object.entries(metrics)) {
        if (metric === 'recall@100') figures.push({ key: `quality.retrieval.${model}.${metric}`, label: `retrieval ${model} ${metric}`, value, unit: '', note });
      }
    }
    for (const [model, m] of Object.entries(report.ranking)) {
      figures.push({ key: `quality.ranking.${model}.auc`, label: `ranking ${model} AUC`, value: m.auc, unit: '' });
    }
    for (const [model, metrics] of Object.entries(report.feed)) {
      if (typeof metrics['ndcg@10'] === 'number') figures.push({ key: `quality.feed.${model}.ndcg@10`, label: `feed ${model} NDCG@10`, value: metrics['ndcg@10'], unit: '' });
    }
    if (report.seconds) figures.push({ key: 'quality.buildSeconds', label: 'MovieLens build time', value: report.seconds.total, unit: 's' });
    return figures;
  },
};
