/**
 * What can go wrong under a WebGPU session besides a thrown error. onnxruntime-web does not
 * throw a WebGPU validation error from run() (unless ort.env.debug is set): the run resolves
 * with output buffers the failed shader never wrote (issue 12: every pClick sigmoid(1)). So
 * each run on WebGPU is wrapped in error scopes, the device's uncapturederror events are
 * watched, and a lost device is raced against the run (after a loss onnxruntime's pending run
 * never settles).
 */
import * as ort from 'onnxruntime-web';

const SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

export interface GpuWatch {
  /** Why the device is gone, once it is; null while it lives. */
  readonly lost: string | null;
  /** Runs `task` inside error scopes; resolves with its result, or with the GPU errors it raised. */
  guard<T>(task: () => Promise<T>): Promise<{ result: T; errors: string[] } | { lost: string }>;
  dispose(): void;
}

export async function watchGpu(): Promise<GpuWatch> {
  const device = await ort.env.webgpu.device;
  let lostReason: string | null = null;
  const lost = device.lost.then((info) => (lostReason = `the WebGPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`));
  // Errors outside any scope (onnxruntime's own async work between runs): reported by the next run.
  const uncaptured: string[] = [];
  const onError = (e: Event) => uncaptured.push(describe((e as GPUUncapturedErrorEvent).error));
  device.addEventListener('uncapturederror', onError);
  return {
    get lost() {
      return lostReason;
    },
    async guard(task) {
      for (const filter of SCOPES) device.pushErrorScope(filter);
      const settled = await Promise.race([
        task().then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        ),
        lost.then((why) => ({ why })),
      ]);
      // Popped whatever happened, so the device's scope stack is as it was before the run.
      const popped = Promise.all(SCOPES.map(() => device.popErrorScope()));
      popped.catch(() => {});
      if ('why' in settled) return { lost: settled.why };
      if ('error' in settled) throw settled.error;
      const scoped = await Promise.race([popped, lost.then(() => null)]);
      if (scoped === null || lostReason !== null) return { lost: lostReason ?? 'the WebGPU device was lost' };
      const errors = [...scoped.filter((e): e is GPUError => e !== null).map(describe), ...uncaptured.splice(0)];
      return { result: settled.result, errors };
    },
    dispose() {
      device.removeEventListener('uncapturederror', onError);
    },
  };
}

function describe(e: GPUError): string {
  const kind = e instanceof GPUValidationError ? 'validation' : e instanceof GPUOutOfMemoryError ? 'out of memory' : 'internal';
  // Dawn's messages run over several lines (the call chain); one line, bounded, for status().
  const message = e.message.replace(/\s+/g, ' ').trim();
  return `WebGPU ${kind} error: ${message.length > 300 ? `${message.slice(0, 299)}…` : message}`;
}
