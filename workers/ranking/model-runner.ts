/**
 * One ONNX model of a release (the ranker or the user tower) in an onnxruntime-web session.
 * The session is created on the first provider of the list that initialises; the runner reports
 * which one that was and why the ones before it failed, so the feed never has to guess.
 */
import * as ort from 'onnxruntime-web';
import type { FeatureTensor } from '../../src/core/features/index.ts';
import type { RankingProvider } from '../../src/core/feed/index.ts';
import type { ModelRef } from '../../src/core/release/index.ts';
import { ensureOrtConfigured, ortThreads } from './configure-ort.ts';
import { RANKING_DEFAULTS } from './defaults.ts';
import { errorMessage } from './error-message.ts';
import { ModelDeviceLostError, ModelRunError, ModelSessionError, type ProviderFailure } from './errors.ts';
import { EXECUTION_PROVIDERS, parseProviders } from './execution-providers.ts';
import { bindTensors, checkBindings, readOutputs, toFeeds, type ModelOutputs } from './feeds.ts';
import { createJsSession, type JsSession, type JsTensor } from './js/index.ts';
import { ortQueue, type SerialQueue } from './serial-queue.ts';

export interface ModelRunnerOptions {
  /** Providers to try, in order; default RANKING_DEFAULTS.providers (webgpu, then wasm). */
  providers?: readonly RankingProvider[];
  /** Where session work is serialised; default the one queue of this onnxruntime instance. */
  queue?: SerialQueue;
}

export interface ModelRunnerReport {
  provider: RankingProvider;
  /** The providers tried before it, and why each could not create the session. */
  fallbacks: readonly ProviderFailure[];
  /** onnxruntime's WASM threads, as it settled them (CPU kernels run on them under either provider). */
  threads: number;
  /** Session creation time in milliseconds, fallbacks included. */
  createMs: number;
}

export interface ModelRunner {
  readonly provider: RankingProvider;
  readonly report: ModelRunnerReport;
  /**
   * Runs the model on feature tensors named as tensorLayout() names them (`history:ids`, ...);
   * resolves with one Float32Array per output role ([rows] for pClick and watchFraction,
   * [rows × dim] row-major for userVector). Runs queue behind each other, never overlap.
   */
  run(tensors: Readonly<Record<string, FeatureTensor>>): Promise<ModelOutputs>;
  /** Releases the session once the runs queued before it are done; later runs reject. */
  dispose(): Promise<void>;
}

export async function createModelRunner(
  bytes: ArrayBuffer | Uint8Array,
  model: ModelRef,
  { providers = RANKING_DEFAULTS.providers, queue = ortQueue }: ModelRunnerOptions = {},
): Promise<ModelRunner> {
  const order = parseProviders(providers);
  ensureOrtConfigured();
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const started = performance.now();
  const fallbacks: ProviderFailure[] = [];
  for (const provider of order) {
    if (provider === 'js') {
      let js: JsSession;
      try {
        js = createJsSession(data);
      } catch (err) {
        fallbacks.push({ provider, name: err instanceof Error ? err.name : 'Error', message: errorMessage(err) });
        continue;
      }
      checkBindings(model, js.inputNames.map((name) => ({ name })), js.outputNames.map((name) => ({ name })));
      const report: ModelRunnerReport = Object.freeze({ provider, fallbacks: Object.freeze(fallbacks), threads: 1, createMs: performance.now() - started });
      return wrapJs(js, model, report);
    }
    let session: ort.InferenceSession;
    try {
      session = await queue.push(() => ort.InferenceSession.create(data, { executionProviders: [EXECUTION_PROVIDERS[provider]] }));
    } catch (err) {
      // A provider that cannot start (no adapter, no WebGPU, an op it lacks) is the expected
      // case on many devices: note why and try the next one.
      fallbacks.push({ provider, name: err instanceof Error ? err.name : 'Error', message: errorMessage(err) });
      continue;
    }
    try {
      checkBindings(model, session.inputMetadata, session.outputMetadata);
    } catch (err) {
      // The manifest and the graph disagree: no provider can fix that.
      await queue.push(() => session.release());
      throw err;
    }
    const report: ModelRunnerReport = Object.freeze({ provider, fallbacks: Object.freeze(fallbacks), threads: ortThreads(), createMs: performance.now() - started });
    return wrap(session, model, report, queue, provider === 'webgpu' ? (await watchDevice()).lost : null);
  }
  throw new ModelSessionError(model.artifact, fallbacks);
}

/** The plain-JS runtime behind the same interface: synchronous, so no queue and no device. */
function wrapJs(session: JsSession, model: ModelRef, report: ModelRunnerReport): ModelRunner {
  let disposed = false;
  return {
    provider: 'js',
    report,
    async run(tensors) {
      if (disposed) throw new ModelRunError(`model "${model.artifact}": the runner was disposed`);
      const { bound, rows } = bindTensors(model, null, tensors);
      if (rows === 0) return emptyOutputs(model);
      let results: Record<string, JsTensor>;
      try {
        results = session.run(Object.fromEntries(bound.map(([name, t]) => [name, { dims: [...t.dims], data: t.data }])));
      } catch (err) {
        throw new ModelRunError(`model "${model.artifact}" on js: ${errorMessage(err)}`, { cause: err });
      }
      const out: ModelOutputs = {};
      for (const [role, name] of Object.entries(model.outputs) as Array<[keyof ModelOutputs, string | undefined]>) {
        if (name === undefined) continue;
        const t = results[name];
        if (!t || !(t.data instanceof Float32Array)) throw new ModelRunError(`model "${model.artifact}" on js: output "${name}" is not float32`);
        out[role] = t.data;
      }
      return out;
    },
    async dispose() {
      disposed = true;
    },
  };
}

/**
 * Resolves when onnxruntime's WebGPU device is lost. After a loss onnxruntime's pending run never
 * settles (its buffer mapping aborts inside it, unhandled), so a run is raced against this.
 */
async function watchDevice(): Promise<{ lost: Promise<string> }> {
  const device = await ort.env.webgpu.device;
  return { lost: device.lost.then((info) => `the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`) };
}

function wrap(session: ort.InferenceSession, model: ModelRef, report: ModelRunnerReport, queue: SerialQueue, lost: Promise<string> | null): ModelRunner {
  let lostReason: string | null = null;
  void lost?.then((why) => (lostReason = why));
  let disposed = false;
  const gone = () => new ModelRunError(`model "${model.artifact}": the runner was disposed`);
  return {
    provider: report.provider,
    report,
    async run(tensors) {
      if (disposed) throw gone();
      if (lostReason !== null) throw new ModelDeviceLostError(`model "${model.artifact}": ${lostReason}`);
      const { feeds, rows } = toFeeds(model, session.inputMetadata, tensors);
      if (rows === 0) return emptyOutputs(model);
      // Queued now, so it runs before a later dispose() releases the session.
      return queue.push(async () => {
        let results: ort.InferenceSession.ReturnType;
        try {
          results = lost ? await Promise.race([session.run(feeds), lost.then((why) => Promise.reject(new ModelDeviceLostError(why)))]) : await session.run(feeds);
        } catch (err) {
          if (err instanceof ModelDeviceLostError) throw new ModelDeviceLostError(`model "${model.artifact}": ${err.message}`, { cause: err });
          throw new ModelRunError(`model "${model.artifact}" on ${report.provider}: ${errorMessage(err)}`, { cause: err });
        }
        return readOutputs(model, results);
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      // A session on a lost device cannot be released (onnxruntime would wait on the device).
      if (lostReason === null) await queue.push(() => session.release());
    },
  };
}

/** A run on zero rows: onnxruntime rejects some empty inputs, and the answer is known anyway. */
function emptyOutputs(model: ModelRef): ModelOutputs {
  const out: ModelOutputs = {};
  for (const role of Object.keys(model.outputs) as Array<keyof ModelOutputs>) out[role] = new Float32Array(0);
  return out;
}
