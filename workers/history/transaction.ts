/**
 * Runs the body of one transaction and awaits its commit (`tx.done`), the rule for every write;
 * and opens read transactions. Two things idb leaves to the caller:
 * - a body that throws after some requests succeeded would otherwise let the transaction
 *   commit half its work: it is aborted instead, so a write is all or nothing;
 * - idb creates `tx.done` eagerly; awaiting it beside the body means its rejection on abort is
 *   always handled, never an unhandled rejection.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import { HistoryQuotaError } from './errors.ts';
import type { HistoryDB } from './schema.ts';

interface Transaction {
  readonly done: Promise<void>;
  abort(): void;
}

export async function inTransaction<T>(tx: Transaction, operation: string, body: () => Promise<T>): Promise<T> {
  const work = body().catch((err: unknown) => {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted (a failed request aborts it by itself).
    }
    throw err;
  });
  try {
    const [result] = await Promise.all([work, tx.done]);
    return result;
  } catch (err) {
    // Chromium reports a full disk or origin quota on the request or, at commit, on the
    // transaction; both carry a DOMException named QuotaExceededError.
    if (isQuotaError(err)) throw new HistoryQuotaError(operation, { cause: err });
    throw err;
  }
}

export function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
}

/**
 * A readonly transaction on one store whose `done` is handled here. Its requests report their
 * own failures to the reader; a read transaction aborted after they finished (site data
 * cleared, the storage bucket deleted) must not surface as an unhandled rejection.
 */
export function readTransaction<Name extends StoreNames<HistoryDB>>(
  db: IDBPDatabase<HistoryDB>,
  name: Name,
): IDBPTransaction<HistoryDB, [Name], 'readonly'> {
  const tx = db.transaction(name, 'readonly');
  tx.done.catch(() => undefined);
  return tx;
}
