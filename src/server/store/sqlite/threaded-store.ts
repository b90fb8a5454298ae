/**
 * The SQLite store on a thread of its own. better-sqlite3 is synchronous: in the server's thread
 * every insert, every commit's fsync and every metrics read would stop the event loop, so HTTP
 * parsing, validation and the SQLite work could never overlap. Here the store (sqlite-store.ts,
 * unchanged: group commit, WAL, synchronous=FULL) runs in a worker thread and this proxy posts
 * each call to it; an ingest still resolves only after its group's COMMIT returned there.
 */
import { Worker } from 'node:worker_threads';
import { BatchConflictError, InstallDeletedError, InvalidBatchError, StoreClosedError } from '../errors.ts';
import { batchHash } from '../batch-identity.ts';
import { checkStorable } from '../check-storable.ts';
import type { FeatureStore } from '../types.ts';
import type { CallMessage, ReplyMessage } from './store-thread.ts';

type Failure = Extract<ReplyMessage, { ok: false }>['error'];

/** The store's own error classes again, so callers can branch on `name` and read `field`. */
function rebuild(e: Failure): Error {
  switch (e.name) {
    case 'InvalidBatchError': {
      const err = new InvalidBatchError(e.field ?? '', '');
      err.message = e.message;
      return err;
    }
    case 'BatchConflictError':
      return new BatchConflictError(e.batchId ?? '');
    case 'InstallDeletedError':
      return new InstallDeletedError();
    case 'StoreClosedError':
      return new StoreClosedError();
    default: {
      const err = new Error(e.message) as Error & { code?: string };
      err.name = e.name;
      if (e.code !== undefined) err.code = e.code;
      return err;
    }
  }
}

export async function openThreadedSqliteStore(file: string): Promise<FeatureStore> {
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { file } });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 0;
  let closed = false;
  let dead: Error | null = null;

  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready: boolean; error?: Failure }) => {
      worker.off('error', onError);
      if (m.ready) resolve();
      else reject(rebuild(m.error!));
    };
    const onError = (err: Error) => {
      worker.off('message', onMessage);
      reject(err);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });

  // The thread keeps the process alive only while a call waits for it, as a socket would; an
  // open store that is not used (a script that forgot close()) does not hold the process.
  worker.unref();
  worker.on('message', (m: ReplyMessage) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(rebuild(m.error));
  });
  const fail = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(closed ? new StoreClosedError() : new Error(`the SQLite store thread exited (code ${code})`)));

  function call<T>(method: CallMessage['method'], ...args: unknown[]): Promise<T> {
    if (closed) return Promise.reject(new StoreClosedError());
    if (dead) return Promise.reject(dead);
    return new Promise<T>((resolve, reject) => {
      const id = next++;
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies CallMessage);
    });
  }

  const store: FeatureStore = {
    kind: 'sqlite',
    migrate: () => call('migrate'),
    // Checked and hashed here, where the event loop has room: the store's thread, which every
    // write goes through, only writes (server load bench: the hash was 6% of that thread).
    ingest: (batch, receivedAt) => {
      try {
        checkStorable(batch);
        return call('ingestChecked', batch, receivedAt, batchHash(batch));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    itemFeatures: (o) => call('itemFeatures', o),
    exportEvents: (o) => call('exportEvents', o),
    deleteInstall: (installId, at) => call('deleteInstall', installId, at),
    feedMetrics: (o) => call('feedMetrics', o),
    dailyCounts: (o) => call('dailyCounts', o),
    expireBatches: (o) => call('expireBatches', o),
    dropEventsBefore: (o) => call('dropEventsBefore', o),
    probeWrite: (at) => call('probeWrite', at),
    recentEvents: (o) => call('recentEvents', o),
    stats: () => call('stats'),
    ping: () => call('ping'),
    async close() {
      if (closed) return;
      // close() flushes the queued group and closes the file before the thread ends.
      const done = dead ? Promise.resolve() : call<void>('close');
      closed = true;
      await done.catch(() => {});
      await worker.terminate();
    },
  };
  return store;
}
