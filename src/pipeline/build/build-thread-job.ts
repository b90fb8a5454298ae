/** A build job on its worker thread: load the data the options name, run the job, post the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Progress } from '../progress/index.ts';
import { ensureTrainingBackend } from '../train/index.ts';
import type { BuildThreadJob, BuildThreadMessage } from './build-thread.ts';
import { runGlobalProtocol } from './global-protocol.ts';
import { loadDataset } from './load.ts';
import { runRefit } from './refit.ts';

const post = (m: BuildThreadMessage) => parentPort!.postMessage(m);

/** Finished stages go to the parent, one line each; bars would fight the main thread's. */
const progress: Progress = {
  stage(name) {
    const started = performance.now();
    let finished = false;
    return {
      tick() {},
      done(summary) {
        if (finished) return;
        finished = true;
        const seconds = `${((performance.now() - started) / 1000).toFixed(1)} s on its own thread`;
        post({ kind: 'stage', name, detail: summary ? `${seconds}; ${summary}` : seconds });
      },
    };
  },
};

try {
  const { kind, options } = workerData as BuildThreadJob;
  const ds = loadDataset(options);
  await ensureTrainingBackend();
  const result = kind === 'global' ? await runGlobalProtocol(ds, options, progress) : await runRefit(ds, options, progress);
  post({ kind: 'result', result });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ kind: 'error', message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) });
}
