/**
 * The contract between a page and the feed worker (types only). The worker implements
 * FeedWorkerApi; src/client wraps it with comlink. Across comlink only plain data crosses, and
 * errors keep only name, message and stack: callers branch on `err.name`.
 */
import type { EventType } from '../events.ts';
import type { SyncMode } from '../sync/wire.ts';

/** Retrieval backends in order of preference; `auto` picks by capability and a short calibration. */
export const RETRIEVAL_BACKENDS = ['webgpu', 'wasm', 'js'] as const;
export type RetrievalBackend = (typeof RETRIEVAL_BACKENDS)[number];
export type BackendChoice = 'auto' | RetrievalBackend;

/**
 * Ranking runtimes, in order: onnxruntime-web's WebGPU and WASM execution providers, then 'js',
 * a plain-TypeScript interpreter of the exporter's ONNX operators for where WebAssembly cannot
 * run (a CSP without 'wasm-unsafe-eval', iOS Lockdown Mode).
 */
export const RANKING_PROVIDERS = ['webgpu', 'wasm', 'js'] as const;
export type RankingProvider = (typeof RANKING_PROVIDERS)[number];

export interface FeedOptions {
  /** URL of the release manifest, e.g. `/v1/releases/latest` or `/models/manifest.json`. */
  release: string;
  /**
   * The release key the app pins: the raw Ed25519 public key in base64 that `ondeck build`
   * signs manifests with (it prints it). A manifest without a valid signature by it is never
   * used. Required unless `allowUnsigned`.
   */
  releaseKey?: string;
  /** Use unsigned releases too (status().release.signed says false). A bad signature is refused all the same. */
  allowUnsigned?: boolean;
  /** Origins artifacts may be fetched from besides the manifest's own (e.g. a CDN); default any. */
  artifactHosts?: readonly string[];
  backend?: BackendChoice;
  /** Runtimes of the ranker, in order; default workers/ranking RANKING_DEFAULTS.providers. */
  rankingProviders?: readonly RankingProvider[];
  /** Candidates ranked per next() (a positive integer); default FEED_COMPOSITION.candidates. */
  candidates?: number;
  /**
   * Name of the IndexedDB database that holds this feed's history and outbox; by default one per
   * feed (workers/feed/options.ts), so two feeds of one origin keep apart. Events are tagged with the sync mode and feed they were recorded under and never
   * leave under another, even when feeds share a database.
   */
  database?: string;
  /** Send interaction events to an ondeck server; without it nothing leaves the device. */
  sync?: SyncOptions;
  /**
   * Where onnxruntime-web's runtime files are, as onnxruntime-web's own `env.wasm.wasmPaths`: a
   * folder URL ending in `/` that holds `ort-wasm-simd-threaded.jsep.wasm` and `.mjs`, or each
   * file's URL. Relative URLs resolve against the page. Default: the copies the package ships
   * beside its worker (which bundlers copy into the app's build).
   * @example createFeed({ release: '/v1/releases/latest', releaseKey, wasmPaths: '/static/ort/' })
   */
  wasmPaths?: WasmPaths;
  /**
   * The URL of the feed worker script (page side only). Default: the `feed-worker.js` the package
   * ships beside its entry; set it when the app serves that file from elsewhere.
   */
  workerUrl?: string;
}

/** onnxruntime-web's runtime files: a folder URL ending in `/`, or each file's URL. */
export type WasmPaths = string | { readonly wasm?: string; readonly mjs?: string };

export interface SyncOptions {
  /** Base URL of the ondeck server, e.g. `http://127.0.0.1:8787` (the page's origin when omitted). */
  server?: string;
  /** The app's public key, exchanged for short-lived device tokens (POST /v1/tokens). */
  appKey: string;
  /** 'aggregate' (item counters only) unless 'pseudonymous' is opted into. */
  mode?: SyncMode;
  /**
   * Local differential privacy of aggregate mode, per event (noise scale 1/epsilon on every
   * counter of an item's day): on by default at DEFAULT_AGGREGATE_EPSILON, which is also what
   * a server accepts by default; it must match the server's. `null` sends exact counts (opt-out,
   * for a server of your own that needs them).
   */
  epsilon?: number | null;
  /**
   * Aggregate mode counts only items with at least this many positive interactions in the
   * release's training data (the shard's popularity), so that no row points at one of a handful of
   * users; default SYNC_DEFAULTS.aggregateMinItemPopularity with noise, 0 with exact
   * counts (`epsilon: null`); 0 counts every item.
   */
  minItemPopularity?: number;
  /** Which feed of the app these events belong to; default SYNC_DEFAULTS.feed. */
  feed?: string;
}

export interface SyncStatus {
  mode: SyncMode;
  /** Events in the log that the server has not acknowledged yet. */
  pending: number;
  /** When the server last acknowledged a batch (ms since the epoch), or null. */
  lastSyncAt: number | null;
  /** The last failure (cleared by the next success), e.g. a 401 or the network being down. */
  lastError: { name: string; message: string } | null;
  /** When the next attempt is due (ms since the epoch) while backing off, else null. */
  retryAt: number | null;
  /**
   * Events in batches the server refused for good (a 4xx other than 401, 408 and 429): kept on
   * the device as dead letters, never resent automatically and never dropped silently.
   */
  rejected: number;
  /** Events the bounded log had to evict before they could be batched (the device was offline too long). */
  evicted: number;
}

export interface FeedItem {
  id: string;
  /** What the feed is ordered by: expected watch (pClick × watch fraction) after re-ranking boosts. */
  score: number;
  pClick: number;
  /** Expected watch fraction if clicked; null when the release has no watch head. */
  watchFraction: number | null;
  title: string;
  image: string;
  durationSeconds: number | null;
  /** Why this item is here, in a few words ("Because you watch Comedy", "Popular now", "New", "Something different"). */
  reason: string;
}

export interface TrackEvent {
  type: EventType;
  itemId: string;
  /** For `watch`: seconds watched. */
  watchSeconds?: number;
  /** Milliseconds since the epoch; now when omitted. */
  at?: number;
}

/** Milliseconds of the last next(), by stage; the stages add up to the whole. */
export interface FeedTimings {
  userVectorMs: number;
  retrieveMs: number;
  /** Feature rows and tensors of the candidates, and the ranker's run. */
  rankMs: number;
  /** The ranker's run alone (part of rankMs). */
  modelMs: number;
  rerankMs: number;
}

export interface FeedStatus {
  releaseId: string | null;
  /** The release in use: whether its manifest's signature was verified, and its sequence; null before init. */
  release: { signed: boolean; sequence: number | null } | null;
  backends: { retrieval: RetrievalBackend | null; ranking: RankingProvider | null };
  /** The release in use came from Cache Storage (no network needed). */
  cached: boolean;
  offline: boolean;
  historySize: number;
  timings: FeedTimings | null;
  /** Why the newest release is not in use (a failed download, a wrong hash), if so. */
  releaseProblem: { name: string; message: string } | null;
  /** Null when the feed was created without `sync`. */
  sync: SyncStatus | null;
  /** How the runtimes in use were verified, and every one passed over with why; null before init. */
  verification: FeedVerification | null;
}

/**
 * A runtime the feed passed over: it could not start, did not reproduce the release's golden
 * vectors, or failed during a run (a WebGPU error, a lost device).
 */
export interface BackendFallback {
  stage: 'ranker' | 'userTower' | 'retrieval';
  backend: RankingProvider | RetrievalBackend;
  /** The error's stable name, e.g. `GoldenMismatchError`, `ModelGpuError`, `BackendUnavailableError`. */
  name: string;
  message: string;
}

export interface FeedVerification {
  /** The release carries golden vectors and every runtime in use reproduced them on this device. */
  verified: boolean;
  /** Milliseconds the golden-vector checks took (part of the cold start). */
  ms: number;
  fallbacks: BackendFallback[];
}

/** What forget() leaves for the app to do on the server. */
export interface ForgetResult {
  /**
   * The pseudonymous install ids whose events the server may still hold (the current one and
   * those rotated out), for the app's backend to erase (DELETE /v1/installs/:id needs the secret
   * key, which a device never holds). Empty in aggregate mode and without sync.
   */
  installIds: string[];
}

export interface FeedWorkerApi {
  init(options: FeedOptions): Promise<FeedStatus>;
  next(options?: { count?: number }): Promise<FeedItem[]>;
  track(event: TrackEvent): Promise<void>;
  status(): Promise<FeedStatus>;
  /**
   * Deletes everything this feed keeps on the device: history, outbox, install ids, the release
   * caches (Cache Storage, the service worker's runtime caches too); see ForgetResult.
   */
  forget(): Promise<ForgetResult>;
  /** Sends what is pending now (without waiting for the schedule) and resolves with the outcome. */
  flush(): Promise<SyncStatus | null>;
}
