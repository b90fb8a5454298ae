/**
 * `ondeck build`: data -> two protocols of honest evaluation -> release. Stages report progress
 * and their seconds; the release is published atomically at the very end, so a failed build
 * leaves the previous release in place.
 */
import { resolve } from 'node:path';
import type { Dataset } from '../data/index.ts';
import { perUserTemporalSplit } from '../data/index.ts';
import { exportRankerOnnx, exportUserTowerOnnx } from '../export/index.ts';
import type { Progress } from '../progress/index.ts';
import {
  defaultItemColumns,
  defaultSigningKeyFile,
  driftBaselineOf,
  driftItemsFromColumns,
  loadOrCreateSigningKey,
  loadSigningKey,
  verifyRelease,
  writeRelease,
} from '../release/index.ts';
import { buildReport, summarizeDataset, writeReportFiles, type Report } from '../report/index.ts';
import { ExampleBuilder } from '../features/index.ts';
import { ensureTrainingBackend } from '../train/index.ts';
import type { ReleaseManifest } from '../../core/release/index.ts';
import { userTensors } from '../../core/features/index.ts';
import type { ProtocolMetrics } from './evaluate-protocol.ts';
import { runGlobalProtocol, startGlobalProtocol, type GlobalProtocolResult } from './global-protocol.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { loadDataset } from './load.ts';
import { runPerUserProtocol } from './per-user-protocol.ts';
import { runRefit, startRefit, type ShippedModels } from './refit.ts';
import type { BuildOptions } from './options.ts';
import { curve, feedMetrics, rankingMetrics, retrievalMetrics } from './report-parts.ts';

export interface BuildResult {
  report: Report;
  manifest: ReleaseManifest;
  verified: Awaited<ReturnType<typeof verifyRelease>>;
  warnings: string[];
  /** The key the manifest was signed with: its file, its public half (what apps pin), whether this build made it. */
  signing: { file: string; publicKey: string; created: boolean };
}

export async function runBuild(o: BuildOptions, progress: Progress): Promise<BuildResult> {
  const started = performance.now();
  const clock = () => {
    let t = performance.now();
    return () => {
      const s = (performance.now() - t) / 1000;
      t = performance.now();
      return s;
    };
  };
  const lap = clock();
  // The key before any work: a missing or wrong key file should fail in a second.
  const signing = o.signingKey !== undefined
    ? { key: loadSigningKey(o.signingKey), created: false, file: resolve(o.signingKey) }
    : loadOrCreateSigningKey(defaultSigningKeyFile(o.out));
  // Data first: a wrong path or column should fail in a second, before any backend starts.
  const load = progress.stage(`load ${o.dataset}`);
  const ds: Dataset = loadDataset(o);
  load.done(`${ds.interactions.length} interactions, ${ds.users.size} users, ${ds.items.size} items`);
  await ensureTrainingBackend();
  const loadSeconds = lap();
  const perUser = perUserTemporalSplit(ds);
  const splitSeconds = lap();

  // Protocol (2), a global time cut (mostly cold start on small datasets, reported as such), and
  // the refit of the release models on all data, each on a thread of its own: neither shares
  // anything with protocol (1), so all three run at once and both cores stay busy to the end.
  // A thread loads its own copy of the data, so on large data (over refitThreadMaxInteractions)
  // the refit runs here after protocol (1) instead: two copies, not three, and two threads on
  // two cores do the same work in about the same time.
  const threaded = (o.threads ?? BUILD_DEFAULTS.threads) > 1;
  const refit = o.releaseFrom === 'all';
  const globalRun = threaded ? startGlobalProtocol(o, progress) : null;
  const refitRun = threaded && refit && ds.interactions.length <= BUILD_DEFAULTS.refitThreadMaxInteractions ? startRefit(o, progress) : null;
  // Not awaited until the end: a failure there must not leave these rejections unhandled meanwhile.
  globalRun?.catch(() => {});
  refitRun?.catch(() => {});

  // Protocol (1), the headline: each user's latest 20% held out. Its models are freed when it returns.
  const p1 = await runPerUserProtocol(ds, perUser, o, progress, !refit);
  const { metrics: e1, truth, sample: sample1 } = p1;
  const m1 = p1.models;
  const trainSeconds = p1.seconds.train;
  const evaluateSeconds = p1.seconds.evaluate;
  lap();

  const shipped: ShippedModels = refit ? await (refitRun ?? runRefit(ds, o, progress)) : p1.shipped!;
  // Waited for on the main thread (the refit's own training time is seconds.twoTower and .dcn).
  const refitSeconds = lap();
  const g = await (globalRun ?? runGlobalProtocol(ds, o, progress));
  const e2 = g.metrics;
  const wc = g.warmCold;
  const trainSeconds2 = g.seconds.train;
  const globalWaitSeconds = lap();

  let stage = progress.stage('export ONNX');
  // Per-user inputs: the device pools the history once per feed (src/core/features perUser).
  const ranker = exportRankerOnnx(shipped.dcn, { perUser: userTensors(shipped.plan.spec) });
  const userTower = exportUserTowerOnnx(shipped.twoTower);
  stage.done(`ranker ${ranker.bytes.length} B, user tower ${userTower.bytes.length} B`);
  const exportSeconds = lap();

  const report = buildReport({
    dataset: summarizeDataset(ds),
    split: { stats: perUser.stats },
    retrieval: retrievalResults(e1),
    ranking: { dcn: rankingMetrics(e1.ranking.dcn), logisticRegression: rankingMetrics(e1.ranking.logisticRegression) },
    feed: feedResults(e1),
    ...(truth ? { truth: { definition: truth.definition, users: truth.counts.users, feed: feedResults(truth) } } : {}),
    globalSplit: {
      stats: g.stats,
      retrieval: retrievalResults(e2),
      ranking: { dcn: rankingMetrics(e2.ranking.dcn), logisticRegression: rankingMetrics(e2.ranking.logisticRegression) },
      feed: feedResults(e2),
      warm: cohort(wc.warm),
      cold: cohort(wc.cold),
    },
    curves: {
      loss: { twoTower: m1.losses.twoTower, dcn: m1.losses.dcn },
      recallAtK: { k: [...e1.curveKs], twoTower: curve(e1.retrieval.twoTower, e1.curveKs), popularity: curve(e1.retrieval.popularity, e1.curveKs) },
    },
    seconds: {
      load: loadSeconds,
      split: splitSeconds,
      // Thread seconds: protocol (2)'s ran beside the main thread's, so these add up to more
      // than `total` on two threads.
      features: m1.seconds.features + g.seconds.models.features,
      baselines: m1.seconds.baselines + g.seconds.models.baselines,
      twoTower: m1.seconds.twoTower + g.seconds.models.twoTower + (refit ? shipped.seconds.twoTower : 0),
      dcn: m1.seconds.dcn + g.seconds.models.dcn + (refit ? shipped.seconds.dcn : 0),
      evaluate: evaluateSeconds + g.seconds.evaluate,
      shards: 0,
      export: exportSeconds,
    },
    settings: {
      seed: o.seed,
      epochs: o.epochs,
      releaseFrom: o.releaseFrom,
      hasWatchHead: shipped.hasWatch,
      trainSeconds,
      trainSeconds2,
      refitSeconds,
      globalWaitSeconds,
      // What validation chose (per-user protocol's window; the release's own window for `shipped`).
      retrieval: { lambda: shipped.retrieval.lambda, historyLength: shipped.retrieval.historyLength, halfLifeEvents: shipped.retrieval.halfLifeEvents, easeLambda: m1.easeLambda },
      validation: m1.validation,
      dcnEpochs: shipped.dcnEpochs,
      // Only when a protocol evaluated a sample of its test users (large data).
      ...(sample1 || g.sample ? { evaluationSample: { perUser: sample1, global: g.sample } } : {}),
    },
  });

  stage = progress.stage('write release');
  const spec = shipped.plan.spec;
  // The shipped models' items as their plan sees them (the models' own builder was freed with them).
  const builder = new ExampleBuilder(ds, shipped.plan);
  const categories = spec.features.find((f) => f.name === 'categories');
  const items = builder.catalog.map((id, i) => ({
    id,
    embedding: shipped.itemVectors.subarray(i * shipped.dim, (i + 1) * shipped.dim),
    ...(builder.item(i).created === undefined ? {} : { created: builder.item(i).created! }),
  }));
  const popularity = Float32Array.from(builder.catalog, (_, i) => builder.item(i).popularity);
  const { columns, meta } = defaultItemColumns({
    items: builder.catalog.map((id) => ds.items.get(id)!),
    popularity,
    categories: ds.categories,
    maxCategories: categories?.kind === 'multi-categorical' ? categories.maxLength : 1,
  });
  // The window the shipped models were trained on, seen through the columns the shards get.
  const driftBaseline = driftBaselineOf({
    interactions: o.releaseFrom === 'all' ? ds.interactions : perUser.train,
    items: driftItemsFromColumns(builder.catalog, columns, ds.categories),
    feedback: ds.feedback,
  });
  const written = await writeRelease({
    outDir: o.out,
    featureSpec: spec,
    embeddingDim: shipped.dim,
    items,
    columns,
    meta,
    popularity,
    models: { ranker, userTower },
    steps: shipped.steps,
    seed: o.seed,
    driftBaseline,
    signingKey: signing.key,
  });
  report.seconds.shards = written.seconds;
  report.seconds.total = (performance.now() - started) / 1000;
  await writeReportFiles(o.out, report);
  const verified = await verifyRelease(o.out);
  stage.done(`${written.manifest.releaseId}: ${verified.items} items in ${verified.shards} shards, ${verified.bytes} B`);
  return {
    report,
    manifest: written.manifest,
    verified,
    warnings: ds.warnings,
    signing: { file: signing.file, publicKey: signing.key.publicKey, created: signing.created },
  };
}

function cohort(c: GlobalProtocolResult['warmCold']['warm']) {
  return {
    users: c.users,
    retrieval: { twoTower: retrievalMetrics(c.retrieval.twoTower), popularity: retrievalMetrics(c.retrieval.popularity) },
    feed: { served: feedMetrics(c.feed.served), dcn: feedMetrics(c.feed.served), popularity: feedMetrics(c.feed.popularity) },
  };
}

function retrievalResults(e: ProtocolMetrics) {
  return {
    twoTower: retrievalMetrics(e.retrieval.twoTower),
    popularity: retrievalMetrics(e.retrieval.popularity),
    ...(e.retrieval.ease ? { ease: retrievalMetrics(e.retrieval.ease) } : {}),
  };
}

/** The report's feeds: served first; `dcn` is the old name of `ranked`, kept for one release. */
function feedResults(e: Pick<ProtocolMetrics, 'feed'>) {
  const f = e.feed;
  const extra: Record<string, ReturnType<typeof feedMetrics>> = {};
  for (const key of ['ranked', 'twoTower', 'ease', 'itemKnn'] as const) {
    const r = f[key];
    if (r) extra[key] = feedMetrics(r);
  }
  return { served: feedMetrics(f.served!), dcn: feedMetrics(f.ranked!), popularity: feedMetrics(f.popularity!), ...extra };
}
