import { OndeckError } from '../../src/core/errors.ts';

/**
 * The browser refused a write for lack of storage (IndexedDB's QuotaExceededError). Nothing of
 * the failed transaction was written. Callers can free space (a smaller maxEvents, forget()) or
 * carry on without history: the feed still works from the release alone.
 */
export class HistoryQuotaError extends OndeckError {
  override name = 'HistoryQuotaError';
  constructor(operation: string, options?: { cause?: unknown }) {
    super(
      `history ${operation} failed: the browser's storage quota for this origin is exhausted ` +
        '(IndexedDB QuotaExceededError); nothing was written. Free space with a smaller maxEvents or forget(), ' +
        'or ask for persistent storage (navigator.storage.persist()).',
      options,
    );
  }
}

/**
 * The database on disk has a newer schema than this code knows: another tab runs a newer app
 * version and upgraded it. Opening it with the old schema would lose data, so this tab must reload.
 */
export class HistoryVersionError extends OndeckError {
  override name = 'HistoryVersionError';
  readonly supported: number;
  constructor(supported: number, options?: { cause?: unknown }) {
    super(
      `the history database was upgraded by a newer version of the app; this code supports schema version ${supported}. Reload the page.`,
      options,
    );
    this.supported = supported;
  }
}
