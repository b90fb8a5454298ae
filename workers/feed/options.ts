/**
 * The feed's options, resolved once (as src/server/options.ts does for the server): init()
 * checks what the page passed and fills every default here, and the rest of the worker reads
 * only the complete, checked result. A bad value fails with a ValidationError naming the field,
 * before anything is downloaded.
 */
import { ValidationError } from '../../src/core/errors.ts';
import {
  FEED_COMPOSITION,
  FEED_PAGE,
  RETRIEVAL_BACKENDS,
  type BackendChoice,
  type FeedOptions,
  type RankingProvider,
  type SyncOptions,
  type WasmPaths,
} from '../../src/core/feed/index.ts';
import { DEFAULT_DATABASE_NAME } from '../history/defaults.ts';
import type { EventScope } from '../history/schema.ts';
import { RANKING_DEFAULTS } from '../ranking/defaults.ts';
import { parseProviders } from '../ranking/execution-providers.ts';
import { UnknownBackendError } from '../retrieval/errors.ts';
import { SYNC_DEFAULTS } from '../sync/defaults.ts';
import { resolveSyncOptions } from '../sync/options.ts';

export interface ResolvedFeedOptions {
  /** URL of the release manifest. */
  readonly release: string;
  /** What the release store needs to verify manifests and artifacts (workers/release). */
  readonly releaseKey: string | undefined;
  readonly allowUnsigned: boolean;
  readonly artifactHosts: readonly string[] | undefined;
  /** The retrieval backend asked for; 'auto' picks by capability and calibration. */
  readonly backend: BackendChoice;
  /** The ranker's runtimes, in order. */
  readonly rankingProviders: readonly RankingProvider[];
  /**
   * The runtimes a ranker (and user tower) is recreated on after its WebGPU device is lost:
   * the default list without WebGPU.
   */
  readonly deviceLostProviders: readonly RankingProvider[];
  /** Candidates ranked per next(). */
  readonly candidates: number;
  /** The IndexedDB database of this feed's history and outbox. */
  readonly database: string;
  /** The sync options as the page gave them (checked); null when nothing leaves the device. */
  readonly sync: SyncOptions | null;
  /** What the feed's events are recorded under: its sync mode ('off' without sync) and feed name. */
  readonly scope: EventScope;
  readonly wasmPaths: WasmPaths | undefined;
}

/**
 * Checks `options` and fills every default. `origin` is the page's origin, which a sync server
 * given as a path resolves against (null where there is none).
 */
export function resolveFeedOptions(options: FeedOptions, origin: string | null): ResolvedFeedOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object with at least `release`');
  if (typeof options.release !== 'string' || options.release === '') {
    throw new ValidationError('release', 'must be the URL of a release manifest, e.g. /v1/releases/latest');
  }
  // 'auto' (the default) is a choice, not a backend: only an explicit backend is checked.
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && !(RETRIEVAL_BACKENDS as readonly unknown[]).includes(backend)) {
    throw new UnknownBackendError('backend', backend, RETRIEVAL_BACKENDS);
  }
  const rankingProviders = options.rankingProviders === undefined ? RANKING_DEFAULTS.providers : parseProviders(arrayField(options.rankingProviders, 'rankingProviders'), 'rankingProviders');
  const candidates = options.candidates ?? FEED_COMPOSITION.candidates;
  if (typeof candidates !== 'number' || !Number.isInteger(candidates) || candidates < 1) {
    throw new ValidationError('candidates', `must be a positive integer (candidates ranked per page; default ${FEED_COMPOSITION.candidates}), got ${String(candidates)}`);
  }
  if (options.database !== undefined && (typeof options.database !== 'string' || options.database === '')) {
    throw new ValidationError('database', 'must be a non-empty string (the IndexedDB database name)');
  }
  const sync = options.sync ?? null;
  const resolvedSync = sync === null ? null : resolveSyncOptions(sync, origin);
  const feed = resolvedSync?.feed ?? SYNC_DEFAULTS.feed;
  const scope: EventScope = resolvedSync ? { mode: resolvedSync.mode, feed } : { mode: 'off', feed };
  const resolved: ResolvedFeedOptions = {
    release: options.release,
    releaseKey: options.releaseKey,
    allowUnsigned: options.allowUnsigned === true,
    artifactHosts: options.artifactHosts,
    backend,
    rankingProviders,
    deviceLostProviders: RANKING_DEFAULTS.providers.filter((p) => p !== 'webgpu'),
    candidates,
    database: options.database ?? defaultDatabase(feed),
    sync,
    scope,
    wasmPaths: options.wasmPaths,
  };
  return Object.freeze(resolved);
}

/** The `count` of next(): an integer from 1 to FEED_PAGE.maxCount, FEED_PAGE.count when omitted. */
export function resolveCount(count: number | undefined): number {
  const n = count ?? FEED_PAGE.count;
  if (!Number.isInteger(n) || n < 1 || n > FEED_PAGE.maxCount) {
    throw new ValidationError('count', `must be an integer from 1 to ${FEED_PAGE.maxCount}, got ${String(n)}`);
  }
  return n;
}

/**
 * The database of a feed the app named none for: DEFAULT_DATABASE_NAME for the default feed and
 * `<that>:<feed>` for a named one, so two feeds of an origin never share a history or an
 * outbox by accident.
 */
function defaultDatabase(feed: string): string {
  return feed === SYNC_DEFAULTS.feed ? DEFAULT_DATABASE_NAME : `${DEFAULT_DATABASE_NAME}:${feed}`;
}

function arrayField(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `must be an array, got ${typeof value}`);
  return value;
}
