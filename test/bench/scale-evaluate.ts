/**
 * The per-user evaluation of a synthetic build alone, timed and (optionally) profiled: data,
 * split and protocol (1)'s models as `ondeck build` makes them, then exactly the build's
 * evaluation stage (scorers, evaluateProtocol, the truth feeds, the sampled NDCG), with its CPU
 * seconds per test user. Issue 17.2: how the evaluation's cost grows with the catalogue.
 *
 *   tsx test/bench/scale-evaluate.ts --interactions N --users N --items N --epochs N [--profile FILE]
 *
 * `--profile FILE` writes a .cpuprofile of the evaluation stage only (node:inspector). Prints one
 * JSON line last (`EVALUATE {...}`): seconds, CPU seconds, test users, and a digest of every
 * metric the stage computed, so two versions can be compared for identical figures.
 */
import { startCpuProfile } from './cpu-profile.ts';
import { createHash } from 'node:crypto';
import { parseBuildArgs } from '../../src/pipeline/build/options.ts';
import { loadDataset } from '../../src/pipeline/build/load.ts';
import { trainModels } from '../../src/pipeline/build/models.ts';
import { evaluateAgainstTruth, evaluateProtocol, scorers } from '../../src/pipeline/build/evaluate-protocol.ts';
import { sampledNdcg } from '../../src/pipeline/build/evaluation-sample.ts';
import { BUILD_DEFAULTS } from '../../src/pipeline/build/defaults.ts';
import { perUserTemporalSplit, sampleTestUsers } from '../../src/pipeline/data/index.ts';
import { ensureTrainingBackend } from '../../src/pipeline/train/index.ts';
import { createProgress } from '../../src/pipeline/progress/index.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--profile');
const profile = at >= 0 ? args.splice(at, 2)[1] : undefined;
const o = parseBuildArgs(['--dataset', 'synthetic', ...args]);
const progress = createProgress();
const ds = loadDataset(o);
await ensureTrainingBackend();
const perUser = perUserTemporalSplit(ds);
const m1 = await trainModels(ds, perUser.train, { epochs: o.epochs, seed: o.seed, baselines: true }, progress);
const sampled = sampleTestUsers(perUser, BUILD_DEFAULTS.evaluationUsers, o.seed);

const stopProfile = await startCpuProfile(profile);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const s1 = scorers(sampled.split, m1);
const e1 = evaluateProtocol(sampled.split, m1, s1);
const truth = evaluateAgainstTruth(ds, sampled.split, m1, s1);
const sample1 = sampled.sample && sampledNdcg(sampled.split, m1.builder.catalog, s1.served, BUILD_DEFAULTS.feedK, sampled.sample);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
await stopProfile();
const metrics = JSON.stringify({ e1, truth, sample1 });
const users = new Set(sampled.split.test.map((x) => x.user)).size;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  `EVALUATE ${JSON.stringify({
    items: ds.items.size,
    interactions: ds.interactions.length,
    testUsers: users,
    seconds,
    cpuSeconds,
    cpuMsPerUser: (cpuSeconds * 1000) / users,
    servedNdcg10: e1.feed.served?.['ndcg@10'],
    digest: createHash('sha256').update(metrics).digest('hex').slice(0, 16),
  })}`,
);
