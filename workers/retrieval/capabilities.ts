/**
 * What this runtime offers the retrieval backends, detected once per worker into one frozen
 * object (STYLE.md rule 3), at the first call and never at module load (rule 5).
 */
import { wasmBlockedReason } from '../ranking/wasm-blocked.ts';
import { scoreKernelBytes } from './wasm/index.ts';
import { webgpuUnavailableReason } from './webgpu/index.ts';

export interface Capabilities {
  /** navigator.gpu exists and returned an adapter. */
  readonly webgpu: boolean;
  /** WebAssembly with SIMD: the wasm backend's kernel validates. */
  readonly wasmSimd: boolean;
  /**
   * Why WebAssembly cannot compile here although it validates (a Content-Security-Policy without
   * 'wasm-unsafe-eval'); null where it can.
   */
  readonly wasmBlocked: string | null;
  /** WASM threads: shared WebAssembly memory works (needs cross-origin isolation). */
  readonly threads: boolean;
  readonly crossOriginIsolated: boolean;
}

let detected: Promise<Capabilities> | null = null;

export function detectCapabilities(): Promise<Capabilities> {
  detected ??= detect();
  return detected;
}

async function detect(): Promise<Capabilities> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const wasm = typeof WebAssembly === 'object';
  return Object.freeze({
    webgpu: (await webgpuUnavailableReason()) === null,
    // The probe is the kernel itself: the one SIMD feature set that matters is the one it uses.
    wasmSimd: wasm && WebAssembly.validate(scoreKernelBytes()),
    wasmBlocked: wasmBlockedReason(),
    threads: wasm && isolated && sharedMemoryWorks(),
    crossOriginIsolated: isolated,
  });
}

function sharedMemoryWorks(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
