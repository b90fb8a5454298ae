/** A build job on its worker thread: load the data the options name, run the job, post the result. */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Progress } from '../progress/index.ts';
import { ensureTrainingBackend } from '../train/index.ts';
import type { BuildThreadJob, BuildThreadMessage } from './build-thread.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
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

/**
 * The main thread's chain (protocol (1): train, then evaluate) is the build's longest: with three
 * threads on two cores sharing alike, it would get two thirds of a core. This thread yields to it
 * (a higher nice value, for this thread only: Linux schedules threads as tasks), so the main
 * thread keeps a core and the job threads share the other, then both once it is done. Elsewhere,
 * or where it is refused, the threads share alike; the figures are the same either way.
 */
function yieldToMainThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, BUILD_DEFAULTS.jobThreadNice);
  } catch {
    // Not Linux, or not allowed: no priority change.
  }
}

try {
  yieldToMainThread();
  const { kind, options } = workerData as BuildThreadJob;
  const ds = loadDataset(options);
  await ensureTrainingBackend();
  const result = kind === 'global' ? await runGlobalProtocol(ds, options, progress) : await runRefit(ds, options, progress);
  post({ kind: 'result', result });
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  post({ kind: 'error', message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) });
}
