/** Protocol (2) on its worker thread: load the data the options name, run it, post the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { Progress } from '../progress/index.ts';
import { ensureTrainingBackend } from '../train/index.ts';
import { runGlobalProtocol, type GlobalProtocolJob, type GlobalProtocolMessage } from './global-protocol.ts';
import { loadDataset } from './load.ts';

const post = (m: GlobalProtocolMessage) => parentPort!.postMessage(m);

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
        const seconds = `${((performance.now() - started) / 1000).toFixed(1)} s on the second thread`;
        post({ kind: 'stage', name, detail: summary ? `${seconds}; ${summary}` : seconds });
      },
    };
  },
};

try {
  const { options } = workerData as GlobalProtocolJob;
  const ds = loadDataset(options);
  await ensureTrainingBackend();
  post({ kind: 'result', result: await runGlobalProtocol(ds, options, progress) });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ kind: 'error', message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) });
}
