/**
 * Runs async tasks one at a time, in call order (transformers.js chains its web sessions the
 * same way). onnxruntime-web keeps one WebAssembly instance, and with WebGPU one GPU device, for
 * all its sessions: two session creations or runs in flight at once race on that shared state
 * ("Session already started" or corrupted outputs), so everything that enters onnxruntime goes
 * through one queue.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task queued before it has settled; a failure does not stop the queue. */
  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/** The queue of the page's (or worker's) one onnxruntime-web instance. */
export const ortQueue = new SerialQueue();
