/**
 * Starts the tensor backend that training runs on, once per process.
 *
 * Why wasm: @tensorflow/tfjs-node (native TensorFlow) cannot be installed here, and the wasm
 * backend (XNNPACK, SIMD) trains the small models of this pipeline about 4x faster than the
 * plain-JS cpu backend. It runs single-threaded in Node: its threaded build needs browser
 * workers and cross-origin isolation, so `WASM_HAS_MULTITHREAD_SUPPORT` is false.
 *
 * Loading the .wasm in Node: the package's Node entry (`main`, a CommonJS bundle) finds its
 * binaries next to itself through `__dirname`, so a plain `setBackend('wasm')` works. A bundler
 * or an ESM build would lose that, so we point `setWasmPaths` at the directory explicitly, as a
 * filesystem path resolved from the installed package; Emscripten's Node loader reads it with
 * fs.readFileSync (no fetch, no network).
 *
 * Side effect undone: while it instantiates, Emscripten's Node glue adds process listeners for
 * 'uncaughtException' and 'unhandledRejection' that rethrow (tfjs's own clean-up of them has a
 * bug and never runs). They override whatever the CLI or server does with those events, and the
 * crash they cause prints a 20 kB minified line instead of the error. We remove exactly the
 * listeners added during our setBackend call.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { TRAINING_BACKENDS, type TrainingBackend } from './defaults.ts';
import { TrainBackendError } from './errors.ts';
import { registerTrainingGradients } from './gradients.ts';

export interface TrainingBackendInfo {
  backend: TrainingBackend;
  /** Whether the SIMD build of the wasm binary runs (it does on Node 20). */
  simd: boolean;
  /** Whether the threaded build runs (not in Node: see above). */
  threads: boolean;
  /** Where the .wasm binaries were read from. */
  wasmDir: string;
}

let started: Promise<TrainingBackendInfo> | null = null;

/** The directory holding tfjs-backend-wasm's .wasm files, with a trailing separator. */
export function wasmBinaryDir(): string {
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return `${dirname(entry)}/`;
}

/**
 * Makes `backend` the active tfjs backend and registers the gradients training needs.
 * Idempotent: later calls return the first call's result. Every model entry point awaits it,
 * so callers only need it to learn which backend ran.
 */
export function ensureTrainingBackend(backend: string = TRAINING_BACKENDS[0]): Promise<TrainingBackendInfo> {
  if (!(TRAINING_BACKENDS as readonly string[]).includes(backend)) {
    return Promise.reject(
      new TrainBackendError(`unknown training backend "${backend}"; allowed: ${TRAINING_BACKENDS.join(', ')}`),
    );
  }
  started ??= start(backend as TrainingBackend).catch((err: unknown) => {
    started = null;
    throw err;
  });
  return started;
}

async function start(backend: TrainingBackend): Promise<TrainingBackendInfo> {
  registerTrainingGradients();
  const wasmDir = wasmBinaryDir();
  // Only before the first initialisation: afterwards the binary is loaded and the call is moot.
  if (tf.findBackend(backend) === null) setWasmPaths(wasmDir);
  let ok: boolean;
  try {
    ok = await withoutNewProcessListeners(() => tf.setBackend(backend));
  } catch (err) {
    throw new TrainBackendError(`could not start the ${backend} backend from ${wasmDir}`, { cause: err });
  }
  if (!ok || tf.getBackend() !== backend) {
    throw new TrainBackendError(`could not start the ${backend} backend from ${wasmDir}`);
  }
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  return Object.freeze({ backend, simd: simd === true, threads: threads === true, wasmDir });
}

/** Runs `f`, then removes the uncaughtException / unhandledRejection listeners added while it ran. */
async function withoutNewProcessListeners<T>(f: () => Promise<T>): Promise<T> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  try {
    return await f();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!uncaught.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejection.has(l)) process.removeListener('unhandledRejection', l);
  }
}
