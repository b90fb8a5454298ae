/**
 * Runs inside the SQLite store's own thread (see threaded-store.ts): opens the store on the file
 * it was given and answers one message per call. Errors go back as name, message and the fields
 * the store's error classes carry, and are rebuilt as those classes on the other side.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FeatureStore } from '../types.ts';
import { openSqliteStoreHere, type SqliteStore } from './sqlite-store.ts';

export interface CallMessage {
  id: number;
  /** A FeatureStore method, or ingestChecked (an ingest the server's thread checked and hashed). */
  method: keyof FeatureStore | 'ingestChecked';
  args: unknown[];
}

export type ReplyMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string; field?: string; batchId?: string; code?: string } };

const port = parentPort!;
const { file } = workerData as { file: string };

let store: SqliteStore;
try {
  store = await openSqliteStoreHere(file);
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ ready: false, error: { name: (err as Error).name, message: (err as Error).message } });
  throw err;
}

port.on('message', (m: CallMessage) => {
  const method = store[m.method] as (...args: unknown[]) => Promise<unknown>;
  Promise.resolve()
    .then(() => method.apply(store, m.args))
    .then(
      (value) => port.postMessage({ id: m.id, ok: true, value } satisfies ReplyMessage),
      (err: unknown) => {
        const e = err as { name?: string; message?: string; field?: string; batchId?: string; code?: string };
        const error: Extract<ReplyMessage, { ok: false }>['error'] = { name: e.name ?? 'Error', message: e.message ?? String(err) };
        if (typeof e.field === 'string') error.field = e.field;
        if (typeof e.batchId === 'string') error.batchId = e.batchId;
        if (typeof e.code === 'string') error.code = e.code;
        port.postMessage({ id: m.id, ok: false, error } satisfies ReplyMessage);
      },
    )
    .finally(() => {
      if (m.method === 'close') port.close();
    });
});
