/**
 * Errors of the model runners. Across comlink only name, message and stack survive, so each
 * class sets a stable `name` that callers branch on; `cause` keeps onnxruntime's own error.
 */
import { OndeckError } from '../../src/core/errors.ts';
import type { RankingProvider } from '../../src/core/feed/index.ts';

/** Why one execution provider could not create a session (kept in the runner's report too). */
export interface ProviderFailure {
  provider: RankingProvider;
  name: string;
  message: string;
}

/** No provider in the list could create a session for the model; `failures` says why, in order. */
export class ModelSessionError extends OndeckError {
  override name = 'ModelSessionError';
  readonly failures: readonly ProviderFailure[];
  constructor(artifact: string, failures: readonly ProviderFailure[], options?: { cause?: unknown }) {
    const why = failures.map((f) => `${f.provider}: ${f.message}`).join('; ');
    super(`model "${artifact}": no execution provider could create a session (${why})`, options);
    this.failures = failures;
  }
}

/** onnxruntime failed while running a session, or the runner was used after dispose(). */
export class ModelRunError extends OndeckError {
  override name = 'ModelRunError';
}

/** The WebGPU device under a session was lost; the runner is dead, recreate it (on WASM). */
export class ModelDeviceLostError extends ModelRunError {
  override name = 'ModelDeviceLostError';
}

/**
 * A WebGPU validation, out-of-memory or internal error during a run (caught by an error scope
 * around it, or raised as the device's uncapturederror): the outputs cannot be trusted, as
 * onnxruntime resolves the run with buffers the failed shader never wrote. Treated like a lost
 * device: the runner moves to the next provider.
 */
export class ModelGpuError extends ModelDeviceLostError {
  override name = 'ModelGpuError';
}

/** A provider ran the model but did not reproduce the release's golden vectors: it never serves. */
export class GoldenMismatchError extends ModelRunError {
  override name = 'GoldenMismatchError';
}

/** configureOrt() called again with other settings after onnxruntime read the first ones. */
export class OrtConfigError extends OndeckError {
  override name = 'OrtConfigError';
}

/**
 * WebAssembly cannot compile in this worker: a Content-Security-Policy whose script-src lacks
 * 'wasm-unsafe-eval', or a browser that disables it (iOS Lockdown Mode). Recorded for each
 * provider built on it (onnxruntime's wasm and webgpu) and for wasm retrieval; the feed runs on
 * the plain-JS runtimes instead.
 */
export class WasmBlockedError extends OndeckError {
  override name = 'WasmBlockedError';
}
