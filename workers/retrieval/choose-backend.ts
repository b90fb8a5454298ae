/**
 * Picks the retrieval backend for a shard set. An explicit choice is honoured or fails with the
 * reason; `auto` walks RETRIEVAL_DEFAULTS.order, skips what the capabilities rule out, builds
 * each remaining retriever and times a few searches: a WebGPU round trip costs milliseconds, so
 * on a small shard set WASM can win even where a GPU exists. The fastest is kept, the others
 * disposed, and the result says what was measured and why (DESIGN: every stage reports).
 */
import { ValidationError } from '../../src/core/errors.ts';
import { RETRIEVAL_BACKENDS, type BackendChoice, type RetrievalBackend } from '../../src/core/feed/index.ts';
import type { RetrievalGolden } from '../../src/core/release/index.ts';
import { itemVector, type Shard } from '../../src/core/shard/index.ts';
import type { Capabilities } from './capabilities.ts';
import { RETRIEVAL_DEFAULTS } from './defaults.ts';
import { RETRIEVER_FACTORIES, parseRetrievalBackend } from './create-retriever.ts';
import { BackendUnavailableError, UnknownBackendError } from './errors.ts';
import type { Retriever } from './types.ts';
import { verifyRetrieval } from './verify-golden.ts';

export const BACKEND_CHOICES: readonly BackendChoice[] = Object.freeze(['auto', ...RETRIEVAL_BACKENDS]);

/** What each backend needs from the runtime, as data; null when the capabilities allow it. */
const REQUIREMENTS: Readonly<Record<RetrievalBackend, (c: Capabilities) => string | null>> = Object.freeze({
  webgpu: (c: Capabilities) => (c.webgpu ? null : 'no WebGPU adapter (capabilities.webgpu is false)'),
  wasm: (c: Capabilities) =>
    c.wasmBlocked !== null ? `WasmBlockedError: ${c.wasmBlocked}` : c.wasmSimd ? null : 'no WebAssembly SIMD (capabilities.wasmSimd is false)',
  js: () => null,
});

export interface BackendSelection {
  backend: RetrievalBackend;
  retriever: Retriever;
  /** Median milliseconds of the calibration searches, per backend tried; empty for an explicit choice. */
  calibration: Partial<Record<RetrievalBackend, number>>;
  /** Backends skipped or failed, with why. */
  unavailable: Partial<Record<RetrievalBackend, string>>;
  /**
   * The golden-vector check of the release (verify-golden.ts): whether the chosen backend passed
   * it (false when there was nothing to check against) and the milliseconds all checks took.
   */
  verification: { verified: boolean; ms: number };
  /** One line for logs and the status page, e.g. "auto: wasm (webgpu 4.10 ms, wasm 0.82 ms, js 2.31 ms)". */
  reason: string;
}

export async function chooseRetrievalBackend(
  choice: BackendChoice,
  shards: readonly Shard[],
  capabilities: Capabilities,
  golden?: RetrievalGolden,
): Promise<BackendSelection> {
  if (!(BACKEND_CHOICES as readonly unknown[]).includes(choice)) throw new UnknownBackendError('backend', choice, BACKEND_CHOICES);
  let verifyMs = 0;
  /** Null when `retriever` reproduces the golden top k (or there is none), else why not. */
  const verify = async (backend: RetrievalBackend, retriever: Retriever): Promise<string | null> => {
    if (!golden) return null;
    const t0 = performance.now();
    try {
      await verifyRetrieval(backend, retriever, shards, golden);
      return null;
    } catch (err) {
      return describe(err);
    } finally {
      verifyMs += performance.now() - t0;
    }
  };
  if (choice !== 'auto') {
    const backend = parseRetrievalBackend(choice);
    const missing = REQUIREMENTS[backend](capabilities);
    if (missing !== null) throw new BackendUnavailableError(backend, missing);
    const retriever = await RETRIEVER_FACTORIES[backend](shards);
    const wrong = await verify(backend, retriever);
    if (wrong !== null) {
      retriever.dispose();
      throw new BackendUnavailableError(backend, wrong);
    }
    const verification = { verified: golden !== undefined, ms: verifyMs };
    return { backend, retriever, calibration: {}, unavailable: {}, verification, reason: `${backend}: chosen by the caller` };
  }

  const calibration: Partial<Record<RetrievalBackend, number>> = {};
  const unavailable: Partial<Record<RetrievalBackend, string>> = {};
  let best: { backend: RetrievalBackend; retriever: Retriever; ms: number } | null = null;
  for (const backend of RETRIEVAL_DEFAULTS.order) {
    const missing = REQUIREMENTS[backend](capabilities);
    if (missing !== null) {
      unavailable[backend] = missing;
      continue;
    }
    let retriever: Retriever;
    try {
      retriever = await RETRIEVER_FACTORIES[backend](shards);
    } catch (err) {
      // Bad shards are the caller's problem on every backend: say so instead of falling back.
      if (err instanceof ValidationError) throw err;
      unavailable[backend] = describe(err);
      continue;
    }
    const wrong = await verify(backend, retriever);
    if (wrong !== null) {
      // Never served from: its candidates are not the model's.
      retriever.dispose();
      unavailable[backend] = wrong;
      continue;
    }
    let ms: number;
    try {
      ms = await calibrate(retriever, shards);
    } catch (err) {
      // A GPU can fail at its first real dispatch (device lost, out of memory): fall back.
      retriever.dispose();
      unavailable[backend] = describe(err);
      continue;
    }
    calibration[backend] = ms;
    if (best === null || ms < best.ms) {
      best?.retriever.dispose();
      best = { backend, retriever, ms };
    } else retriever.dispose();
  }
  // js needs nothing and cannot fail on valid shards, so this is a broken order, not a runtime.
  if (best === null) {
    const why = Object.entries(unavailable).map(([b, w]) => `${b}: ${w}`).join('; ');
    throw new BackendUnavailableError('js', `no backend of ${RETRIEVAL_DEFAULTS.order.join(', ')} could run (${why})`);
  }
  const times = Object.entries(calibration).map(([b, ms]) => `${b} ${ms.toFixed(2)} ms`);
  const skipped = Object.entries(unavailable).map(([b, why]) => `${b}: ${why}`);
  const reason = `auto: ${best.backend} (${times.join(', ')}${skipped.length ? `; skipped ${skipped.join('; ')}` : ''})`;
  return { backend: best.backend, retriever: best.retriever, calibration, unavailable, verification: { verified: golden !== undefined, ms: verifyMs }, reason };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Median ms of RETRIEVAL_DEFAULTS.calibrationRuns searches after the warm-up ones. */
async function calibrate(retriever: Retriever, shards: readonly Shard[]): Promise<number> {
  const { calibrationRuns, calibrationWarmup, calibrationK } = RETRIEVAL_DEFAULTS;
  // A real item's vector: a query that looks like the user vectors the feed will send.
  const first = shards.find((s) => s.count > 0);
  const query = first ? itemVector(first, 0) : new Float32Array(retriever.dim);
  const k = Math.min(calibrationK, retriever.count);
  for (let i = 0; i < calibrationWarmup; i++) await retriever.search(query, k);
  const samples: number[] = [];
  for (let i = 0; i < calibrationRuns; i++) {
    const t0 = performance.now();
    await retriever.search(query, k);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}
