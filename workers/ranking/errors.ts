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

/** configureOrt() called again with other settings after onnxruntime read the first ones. */
export class OrtConfigError extends OndeckError {
  override name = 'OrtConfigError';
}

export const RANKING_ERROR_NAMES: readonly string[] = Object.freeze(['ModelSessionError', 'ModelRunError', 'ModelDeviceLostError', 'OrtConfigError']);
