/**
 * A build job on a worker thread of its own. Each thread runs tfjs-wasm single-threaded (see
 * train/backend.ts), so the build keeps both cores of a small machine busy by running the jobs
 * that ship nothing or share nothing with the main thread beside it: protocol (2)
 * (global-protocol.ts) and the refit of the release models on all data (refit.ts). A job loads
 * its own copy of the data (a second or so) and its figures are those of running it inline:
 * everything it does is seeded by the options.
 */
import { Worker } from 'node:worker_threads';
import { OndeckError } from '../../core/errors.ts';
import type { Progress } from '../progress/index.ts';
import type { BuildOptions } from './options.ts';

/** A build thread failed; the message says how, `cause` carries its stack. */
export class BuildThreadError extends OndeckError {
  override name = 'BuildThreadError';
}

export type BuildThreadKind = 'global' | 'refit';

/** What a thread is given: the options name the data, so it loads its own copy. */
export interface BuildThreadJob {
  kind: BuildThreadKind;
  options: BuildOptions;
}

export type BuildThreadMessage =
  | { kind: 'stage'; name: string; detail: string }
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; message: string; stack?: string };

const LABELS: Readonly<Record<BuildThreadKind, string>> = { global: 'global', refit: 'refit' };

/**
 * Runs `job` on a worker thread; its finished stages reach `progress` with a "<kind>: " prefix.
 * The promise rejects with the thread's error, named.
 */
export function startBuildThread<T>(job: BuildThreadJob, progress: Progress): Promise<T> {
  const label = LABELS[job.kind];
  const failed = (message: string, stack?: string) => new BuildThreadError(`the ${label} thread failed: ${message}`, { cause: stack });
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./build-thread.mjs', import.meta.url), { workerData: job });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: BuildThreadMessage) => {
      if (m.kind === 'stage') progress.stage(`${label}: ${m.name}`).done(m.detail);
      else if (m.kind === 'result') settle(() => resolve(m.result as T));
      else settle(() => reject(failed(m.message, m.stack)));
    });
    worker.on('error', (err) => settle(() => reject(failed(err.message, err.stack))));
    worker.on('exit', (code) => settle(() => reject(new BuildThreadError(`the ${label} thread exited (code ${code}) before its result`))));
  });
}
