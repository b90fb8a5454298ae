/**
 * One ONNX model of a release (the ranker or the user tower) in an onnxruntime-web session, or
 * in the plain-JS runtime. The runner serves from the first provider of the list that starts
 * and, when the release carries golden vectors for the model, reproduces them (DESIGN: no
 * runtime is trusted unverified); it reports which provider that was and why the ones before it
 * were passed over, so the feed never has to guess. A provider that fails during a run (a lost
 * WebGPU device, a WebGPU error) is dropped the same way: the run is retried on the next one.
 */
import * as ort from 'onnxruntime-web';
import type { FeatureTensor } from '../../src/core/features/index.ts';
import type { RankingProvider } from '../../src/core/feed/index.ts';
import { checkGoldenOutputs, goldenTensors, type ModelRef } from '../../src/core/release/index.ts';
import { ensureOrtConfigured, ortThreads } from './configure-ort.ts';
import { RANKING_DEFAULTS } from './defaults.ts';
import { errorMessage } from './error-message.ts';
import { GoldenMismatchError, ModelDeviceLostError, ModelGpuError, ModelRunError, ModelSessionError, type ProviderFailure } from './errors.ts';
import { EXECUTION_PROVIDERS, parseProviders } from './execution-providers.ts';
import { bindTensors, checkBindings, readOutputs, toOrtInputs, type ModelOutputs } from './model-inputs.ts';
import { watchGpu, type GpuWatch } from './gpu-watch.ts';
import { createJsSession, type JsSession, type JsTensor } from './js/index.ts';
import { ortQueue, type SerialQueue } from './serial-queue.ts';
import { wasmBlockedError } from './wasm-blocked.ts';

export interface ModelRunnerOptions {
  /** Providers to try, in order; default RANKING_DEFAULTS.providers (webgpu, then wasm, then js). */
  providers?: readonly RankingProvider[];
  /** Where session work is serialised; default the one queue of this onnxruntime instance. */
  queue?: SerialQueue;
  /** Providers already passed over elsewhere (kept first in the report's fallbacks). */
  passedOver?: readonly ProviderFailure[];
}

export interface ModelVerification {
  /** The model carries golden vectors, and the provider in use reproduced them. */
  verified: boolean;
  /** Largest |Δ| of the provider in use against the golden outputs; null without golden vectors. */
  maxDiff: number | null;
  /** Milliseconds spent on golden-vector runs while choosing the provider (failed ones included). */
  ms: number;
}

export interface ModelRunnerReport {
  provider: RankingProvider;
  /** The providers passed over before it (could not start, failed the golden vectors, failed in a run), and why. */
  fallbacks: readonly ProviderFailure[];
  /** onnxruntime's WASM threads, as it settled them (CPU kernels run on them under either provider). */
  threads: number;
  /** Session creation time in milliseconds, fallbacks and golden-vector checks included. */
  createMs: number;
  verification: ModelVerification;
}

export interface ModelRunner {
  /** The provider in use now: it changes when one fails during a run. */
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

/** A runner fixed to one provider (what the failover runner below switches between). */
interface ProviderRunner {
  provider: RankingProvider;
  run(tensors: Readonly<Record<string, FeatureTensor>>): Promise<ModelOutputs>;
  dispose(): Promise<void>;
}

export async function createModelRunner(
  bytes: ArrayBuffer | Uint8Array,
  model: ModelRef,
  { providers = RANKING_DEFAULTS.providers, queue = ortQueue, passedOver = [] }: ModelRunnerOptions = {},
): Promise<ModelRunner> {
  const order = parseProviders(providers);
  ensureOrtConfigured();
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let current = await openFirst(data, model, order, [...passedOver], queue);
  let switching: Promise<void> | null = null;
  let disposed = false;
  /** After `failed` broke during a run: the next provider of the list, or the error when none is left. */
  const failOver = (failed: Opened, err: ModelDeviceLostError): Promise<void> => {
    switching ??= (async () => {
      const rest = order.slice(order.indexOf(failed.runner.provider) + 1);
      const fallbacks = [...failed.report.fallbacks, { provider: failed.runner.provider, name: err.name, message: err.message }];
      void failed.runner.dispose().catch(() => {});
      if (rest.length === 0) throw err;
      current = await openFirst(data, model, rest, fallbacks, queue);
    })().finally(() => (switching = null));
    return switching;
  };
  return {
    get provider() {
      return current.runner.provider;
    },
    get report() {
      return current.report;
    },
    async run(tensors) {
      if (disposed) throw new ModelRunError(`model "${model.artifact}": the runner was disposed`);
      if (switching) await switching;
      const used = current;
      try {
        return await used.runner.run(tensors);
      } catch (err) {
        if (!(err instanceof ModelDeviceLostError)) throw err;
        if (current === used) await failOver(used, err);
        else if (switching) await switching;
        return current.runner.run(tensors);
      }
    },
    async dispose() {
      disposed = true;
      if (switching) await switching.catch(() => {});
      await current.runner.dispose();
    },
  };
}

interface Opened {
  runner: ProviderRunner;
  report: ModelRunnerReport;
}

/** The first provider of `order` that starts and reproduces the golden vectors. */
async function openFirst(data: Uint8Array, model: ModelRef, order: readonly RankingProvider[], fallbacks: ProviderFailure[], queue: SerialQueue): Promise<Opened> {
  const started = performance.now();
  let verifyMs = 0;
  for (const provider of order) {
    // onnxruntime's wasm and webgpu providers both run in its WebAssembly runtime.
    const blocked = provider === 'js' ? null : wasmBlockedError();
    if (blocked !== null) {
      fallbacks.push({ provider, name: blocked.name, message: blocked.message });
      continue;
    }
    let runner: ProviderRunner;
    try {
      runner = provider === 'js' ? openJs(data, model) : await openOrt(data, model, provider, queue);
    } catch (err) {
      // The manifest and the graph disagree: no provider can fix that.
      if (err instanceof BindingError) throw err.cause;
      // A provider that cannot start (no adapter, no WebGPU, an op it lacks, WebAssembly
      // blocked) is the expected case on many devices: note why and try the next one.
      fallbacks.push({ provider, name: err instanceof Error ? err.name : 'Error', message: errorMessage(err) });
      continue;
    }
    let maxDiff: number | null = null;
    if (model.golden) {
      const t0 = performance.now();
      const problem = await verify(runner, model).then(
        (check) => {
          maxDiff = check.maxDiff;
          return check.ok ? null : new GoldenMismatchError(`model "${model.artifact}" on ${provider} does not reproduce the release's golden vectors: ${check.problem}`);
        },
        (err: unknown) => (err instanceof Error ? err : new ModelRunError(errorMessage(err))),
      );
      verifyMs += performance.now() - t0;
      if (problem !== null) {
        // Never served from: its outputs are not the model's.
        fallbacks.push({ provider, name: problem.name, message: problem.message });
        await runner.dispose().catch(() => {});
        continue;
      }
    }
    const threads = provider === 'js' ? 1 : ortThreads();
    const verification: ModelVerification = Object.freeze({ verified: model.golden !== undefined, maxDiff, ms: verifyMs });
    const report: ModelRunnerReport = Object.freeze({ provider, fallbacks: Object.freeze(fallbacks), threads, createMs: performance.now() - started, verification });
    return { runner, report };
  }
  throw new ModelSessionError(model.artifact, fallbacks);
}

async function verify(runner: ProviderRunner, model: ModelRef) {
  const golden = model.golden!;
  const out = await runner.run(goldenTensors(golden));
  return checkGoldenOutputs(golden, out);
}

/** A manifest/graph disagreement found while opening a provider: fatal, not a fallback. */
class BindingError extends Error {}

/** The plain-JS runtime behind the same interface: synchronous, so no queue and no device. */
function openJs(data: Uint8Array, model: ModelRef): ProviderRunner {
  const session: JsSession = createJsSession(data);
  try {
    checkBindings(model, session.inputNames.map((name) => ({ name })), session.outputNames.map((name) => ({ name })));
  } catch (err) {
    throw new BindingError('bindings', { cause: err });
  }
  let disposed = false;
  return {
    provider: 'js',
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
 * onnxruntime's session config entries (flattened to "session.intra_op.allow_spinning"). The
 * ranker runs in short bursts, one per page: spinning threads between them buy nothing and, on
 * a device whose cores are busy (a 2-core phone, a webview beside the app), a spinning pool
 * waits on a thread the OS has parked, turning a 1 s run into tens of seconds.
 */
const sessionConfig = () => ({ session: { intra_op: { allow_spinning: '0' } } }); // fresh: onnxruntime adds its own entries to it

async function openOrt(data: Uint8Array, model: ModelRef, provider: Exclude<RankingProvider, 'js'>, queue: SerialQueue): Promise<ProviderRunner> {
  const session = await queue.push(() => ort.InferenceSession.create(data, { executionProviders: [EXECUTION_PROVIDERS[provider]], extra: sessionConfig() }));
  try {
    checkBindings(model, session.inputMetadata, session.outputMetadata);
  } catch (err) {
    await queue.push(() => session.release());
    throw new BindingError('bindings', { cause: err });
  }
  const gpu = provider === 'webgpu' ? await watchGpu() : null;
  return wrapOrt(session, model, provider, queue, gpu);
}

function wrapOrt(session: ort.InferenceSession, model: ModelRef, provider: Exclude<RankingProvider, 'js'>, queue: SerialQueue, gpu: GpuWatch | null): ProviderRunner {
  let disposed = false;
  const where = `model "${model.artifact}"`;
  return {
    provider,
    async run(tensors) {
      if (disposed) throw new ModelRunError(`${where}: the runner was disposed`);
      if (gpu?.lost != null) throw new ModelDeviceLostError(`${where}: ${gpu.lost}`);
      const { feeds, rows } = toOrtInputs(model, session.inputMetadata, tensors);
      if (rows === 0) return emptyOutputs(model);
      // Queued now, so it runs before a later dispose() releases the session.
      return queue.push(async () => {
        try {
          if (gpu === null) return readOutputs(model, await session.run(feeds));
          const guarded = await gpu.guard(() => session.run(feeds));
          if ('lost' in guarded) throw new ModelDeviceLostError(`${where}: ${guarded.lost}`);
          // A WebGPU error means outputs the failed shader never wrote: never return them.
          if (guarded.errors.length > 0) throw new ModelGpuError(`${where} on webgpu: ${guarded.errors.join('; ')}`);
          return readOutputs(model, guarded.result);
        } catch (err) {
          if (err instanceof ModelRunError) throw err;
          throw new ModelRunError(`${where} on ${provider}: ${errorMessage(err)}`, { cause: err });
        }
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      gpu?.dispose();
      // A session on a lost device cannot be released (onnxruntime would wait on the device).
      if (gpu?.lost == null) await queue.push(() => session.release());
    },
  };
}

/** A run on zero rows: onnxruntime rejects some empty inputs, and the answer is known anyway. */
function emptyOutputs(model: ModelRef): ModelOutputs {
  const out: ModelOutputs = {};
  for (const role of Object.keys(model.outputs) as Array<keyof ModelOutputs>) out[role] = new Float32Array(0);
  return out;
}
