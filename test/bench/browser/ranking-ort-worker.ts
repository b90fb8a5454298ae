/**
 * Ranking benchmark worker: the ranker in onnxruntime-web through our own runner
 * (workers/ranking: createModelRunner, configureOrt), as the feed worker runs it. One job per
 * worker: onnxruntime reads its thread count once.
 */
import { configureOrt, createModelRunner } from '../../../workers/ranking/index.ts';
import { ortThreads } from '../../../workers/ranking/configure-ort.ts';
import { maxAbsDiff, timeRuns, type RankingJob, type RankingReply } from './ranking-messages.ts';

addEventListener('message', (e: MessageEvent<RankingJob>) => {
  void run(e.data).then(
    (reply) => postMessage(reply),
    (err: unknown) => postMessage({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies RankingReply),
  );
});

async function run(job: RankingJob): Promise<RankingReply> {
  configureOrt({ isolated: globalThis.crossOriginIsolated === true, threads: job.threads });
  const t0 = performance.now();
  const runner = await createModelRunner(job.model, job.modelRef, { providers: [job.provider] });
  const createMs = performance.now() - t0;
  try {
    const output = (await runner.run(job.tensors)).pClick!;
    const diff = job.reference ? maxAbsDiff(output, job.reference) : NaN;
    if (job.reference && !(diff <= (job.tolerance ?? 0))) {
      return { ok: false, error: `p_click differs from the reference by ${diff} (> ${job.tolerance}); not timed` };
    }
    const samples = await timeRuns(() => runner.run(job.tensors), job.warmup, job.runs);
    return { ok: true, samples, createMs, output, maxAbsDiff: diff, backend: `onnxruntime-web ${runner.provider}`, threads: ortThreads() };
  } finally {
    await runner.dispose();
  }
}
