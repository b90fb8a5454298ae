/**
 * tfjs with its WebGPU backend, loaded on the first WebGPU retriever and only after the probe
 * found an adapter: importing tfjs-backend-webgpu registers the backend and reads
 * navigator.gpu at its own top level, and tfjs is a large download the js and wasm backends never
 * need. tfjs keeps one global active backend; nothing else in the worker uses tfjs, and every
 * search re-asserts 'webgpu' (ensureWebGpuBackend) so a later setBackend elsewhere cannot move
 * the resident matrix off the GPU.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BackendUnavailableError } from '../errors.ts';
import { webgpuUnavailableReason } from './probe.ts';

export type Tf = typeof TfCore;

const BACKEND = 'webgpu';
let loading: Promise<Tf> | null = null;

/** tfjs with 'webgpu' as its active backend; BackendUnavailableError saying why not. */
export function loadTfWebGpu(): Promise<Tf> {
  loading ??= load().catch((err: unknown) => {
    loading = null; // a later call may try again (an adapter can come back)
    throw err;
  });
  return loading;
}

async function load(): Promise<Tf> {
  const why = await webgpuUnavailableReason();
  if (why !== null) throw new BackendUnavailableError('webgpu', why);
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  let ok: boolean;
  try {
    ok = await tf.setBackend(BACKEND);
  } catch (cause) {
    throw new BackendUnavailableError('webgpu', 'tfjs could not initialise its WebGPU backend', { cause });
  }
  if (!ok) throw new BackendUnavailableError('webgpu', 'tfjs could not initialise its WebGPU backend (see the console)');
  return tf;
}

/** Makes 'webgpu' the active tfjs backend again if something switched it. */
export async function ensureWebGpuBackend(tf: Tf): Promise<void> {
  if (tf.getBackend() !== BACKEND && !(await tf.setBackend(BACKEND))) {
    throw new BackendUnavailableError('webgpu', 'tfjs could not switch back to its WebGPU backend');
  }
}

/** The GPU device's storage-buffer limit in bytes: one tensor's buffer cannot be bigger. */
export function maxBufferBytes(tf: Tf): number {
  const limits = (tf.findBackend(BACKEND) as WebGPUBackend).device.limits;
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}
