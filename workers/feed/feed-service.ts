/**
 * The feed worker: release -> history -> user vector -> retrieval -> ranking -> re-ranking.
 * Implements the FeedWorkerApi contract (src/core/feed/api.ts); the entry exposes it with comlink.
 * Every stage reports the backend it used and its time, never a guess.
 */
import { buildFeatureTensors, tensorLayout, type HistoryEntry } from '../../src/core/features/index.ts';
import {
  SEQUENCE_SCORE_FIELD,
  candidateContexts,
  composeFeed,
  decodeStepTable,
  readsSequenceScore,
  sequenceItems,
  sequenceScores,
  stepRows,
  type StepTable,
  entryTowerInputs,
  historyScores,
  readsHistoryScores,
  feedScore,
  headSlotsFor,
  newUserScore,
  bestPopularity,
  retrievalScore,
  type FeedItem,
  type FeedOptions,
  type FeedStatus,
  type FeedTimings,
  type FeedWorkerApi,
  type ForgetResult,
  type RetrievalBackend,
  type SyncStatus,
  type TrackEvent,
} from '../../src/core/feed/index.ts';
import type { RerankCandidate } from '../../src/core/rerank/index.ts';
import type { Shard } from '../../src/core/shard/index.ts';
import { DEFAULT_MAX_EVENTS, HistoryConnection, HistoryStore, openHistory, validateTrackEvent } from '../history/index.ts';
import { ModelDeviceLostError, configureOrt, createModelRunner, type ModelRunner } from '../ranking/index.ts';
import { createReleaseStore, type LoadedRelease, type ReleaseFetch } from '../release/index.ts';
import { createSync, type Sync } from '../sync/index.ts';
import { chooseRetrievalBackend, createRetriever, detectCapabilities, type Retriever } from '../retrieval/index.ts';
import { Catalog, type ItemRef } from './catalog.ts';
import { clusterProbe } from './cluster-probe.ts';
import { FEED_DEFAULTS } from './defaults.ts';
import { FeedNotReadyError } from './errors.ts';
import { deleteOndeckCaches } from './caches.ts';
import { HistoryView } from './history-view.ts';
import { resolveCount, resolveFeedOptions, type ResolvedFeedOptions } from './options.ts';
import { feedVerification, retrievalCheckAfterFailure, type RetrievalCheck } from './verification.ts';

interface Ready {
  options: ResolvedFeedOptions;
  release: LoadedRelease;
  catalog: Catalog;
  history: HistoryStore;
  ranker: ModelRunner;
  userTower: ModelRunner | null;
  userFeatures: string[];
  /** The step table and its rows, where the ranker reads the sequence score (else null). */
  steps: { table: StepTable; rows: Map<string, number> } | null;
  retrieval: RetrievalBackend;
  /** How the retrieval backend was chosen and verified, for status(). */
  retrievalCheck: RetrievalCheck;
  /** Retrievers by cluster set, least recently used first. */
  retrievers: Map<string, Retriever>;
  view: HistoryView;
  /**
   * The user vector of one history version (HistoryView.version), computed at `at`, with the
   * per-entry vectors the history scores read (rows 0 when the ranker reads none).
   */
  userVector: { version: number; at: number; vector: Float32Array; entries: { vectors: Float32Array; rows: number } } | null;
  /** The sync queue over the history's log; null without `options.sync`, and after forget() until the next event. */
  sync: Sync | null;
  /**
   * forget() ran and nothing was tracked since: the database stays deleted (no release record,
   * no sync cursor) until the next event; then the release is recorded and the queue restarts.
   */
  forgotten: boolean;
}

/** Seams for tests and embedders: the clock and the network. */
export interface FeedServiceOptions {
  now?: () => number;
  fetch?: ReleaseFetch;
}

export class FeedService implements FeedWorkerApi {
  #ready: Ready | null = null;
  #timings: FeedTimings | null = null;
  #feeds = 0;
  readonly #now: () => number;
  readonly #fetch: ReleaseFetch | undefined;

  constructor(options: FeedServiceOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch;
  }

  async init(pageOptions: FeedOptions): Promise<FeedStatus> {
    // Every option is checked here, before any download, naming the field.
    const options = resolveFeedOptions(pageOptions, globalThis.location?.origin ?? null);
    const capabilities = await detectCapabilities();
    configureOrt({ isolated: capabilities.crossOriginIsolated, ...(options.wasmPaths !== undefined ? { wasmPaths: options.wasmPaths } : {}) });
    const release = await createReleaseStore({
      manifestUrl: options.release,
      ...(options.releaseKey !== undefined ? { releaseKey: options.releaseKey } : {}),
      allowUnsigned: options.allowUnsigned,
      ...(options.artifactHosts !== undefined ? { artifactHosts: options.artifactHosts } : {}),
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    }).load();
    const manifest = release.manifest;
    const catalog = await Catalog.open(release);
    const database = options.database;
    const history = await openHistory({ name: database, now: this.#now });
    const providers = options.rankingProviders;
    const ranker = await createModelRunner(await release.artifact(manifest.models.ranker.artifact), manifest.models.ranker, { providers });
    const tower = manifest.models.userTower;
    const userTower = tower ? await createModelRunner(await release.artifact(tower.artifact), tower, { providers }) : null;
    const stepsRef = manifest.artifacts.find((a) => a.kind === 'steps');
    const table = stepsRef && readsSequenceScore(manifest.featureSpec) ? decodeStepTable(new Uint8Array(await release.artifact(stepsRef.name)), `artifact "${stepsRef.name}"`) : null;
    const layout = tensorLayout(manifest.featureSpec);
    const userFeatures = tower ? [...new Set(tower.inputs.map((b) => layout.find((t) => t.tensor === b.tensor)!.feature))] : [];
    // Calibrate on the head shard: it is always there, and the clusters have its shape.
    const selection = await chooseRetrievalBackend(options.backend, [catalog.head], capabilities, manifest.retrievalGolden);
    selection.retriever.dispose();
    await history.useRelease(manifest.releaseId);
    await reembedOnReleaseChange(history, catalog);
    const ready: Ready = {
      options,
      release,
      catalog,
      history,
      ranker,
      userTower,
      userFeatures,
      steps: table ? { table, rows: stepRows(table) } : null,
      retrieval: selection.backend,
      retrievalCheck: selection,
      retrievers: new Map(),
      view: new HistoryView(() => ready.history, {
        limit: FEED_DEFAULTS.historyEvents,
        reloadEvery: FEED_DEFAULTS.historyReloadEvery,
        channelName: `ondeck-history:${database}`,
      }),
      userVector: null,
      sync: null,
      forgotten: false,
    };
    // Last, once everything else is up: a failed init leaves no queue running.
    if (options.sync) ready.sync = await this.#startSync(ready);
    this.#release(this.#ready);
    this.#ready = ready;
    return this.status();
  }

  async next(options: { count?: number } = {}): Promise<FeedItem[]> {
    const r = this.#need();
    const count = resolveCount(options.count);
    const now = this.#now();
    const spec = r.catalog.manifest.featureSpec;
    let t = performance.now();
    // Stale entries (items outside the shards loaded when they were tracked, or dropped by a new
    // release) still carry their id, which the spec's id vocabulary maps or drops: keep them.
    const { entries, seen, hidden, version } = await r.view.read();
    const user = { history: entries };
    // Candidates, `candidates` in all (the ranker's cost is per row): a few head items by
    // popularity and freshness (fresh uploads have no history pointing at them), then the user's
    // nearest items by dot product over the head and the nearest clusters. A new user (empty
    // history) has nothing for a user vector to say: the head's popular and fresh items come
    // first, and retrieval only fills up what the head cannot.
    const budget = r.options.candidates;
    const personal = entries.length > 0;
    const headRefs = headItems(r.catalog, headSlotsFor(personal, budget), seen, hidden);
    const need = budget - headRefs.length;
    // The vector is cached per history version for a few minutes (its recency weights move with
    // the clock, slowly).
    let userVector: Float32Array | null = null;
    let entryVectors: { vectors: Float32Array; rows: number } | null = null;
    if (need > 0 && r.userTower !== null) {
      const cached = r.userVector;
      const fresh = cached !== null && cached.version === version && now >= cached.at && now - cached.at < FEED_DEFAULTS.userVectorMaxAgeMs;
      if (!fresh) r.userVector = { version, at: now, ...(await this.#userVectors(r, user, now)) };
      userVector = r.userVector!.vector;
      entryVectors = r.userVector!.entries;
    }
    const userVectorMs = performance.now() - t;

    t = performance.now();
    const taken = new Set(headRefs.map((ref) => String(ref.shard.id(ref.index))));
    const retrieved = userVector ? await this.#retrieve(r, userVector, need, (id) => seen.has(id) || hidden.has(id) || taken.has(id)) : [];
    const refs = [...headRefs, ...retrieved];
    const retrieveMs = performance.now() - t;

    t = performance.now();
    const records = refs.map((ref) => r.catalog.record(ref));
    // One vector per item wherever it was found (the head's copy of a head item is quantised
    // apart from its cluster's copy): the score the ranker sees does not depend on the path.
    const vectors = refs.map((ref, j) => r.catalog.vector(r.catalog.find(records[j]!.id) ?? ref));
    // Each row's context: its retrieval score and rank among these candidates (src/core/feed).
    const contexts = candidateContexts(Float32Array.from(vectors, (v) => (userVector ? retrievalScore(userVector, v) : 0)));
    // Candidate-aware history scores, where the ranker reads them (src/core/feed/history-scores.ts).
    const scores = readsHistoryScores(spec) ? historyScores(entryVectors?.vectors ?? new Float32Array(0), entryVectors?.rows ?? 0, userVector?.length ?? 0, vectors) : null;
    // Per user: the 500 rows share one user, whose history is encoded (and, by a ranker with
    // per-user inputs, pooled) once.
    // The step table's sequence score: what people reached next from the user's newest items.
    const sequence = r.steps ? sequenceScores(r.steps.table, r.steps.rows, sequenceItems(r.steps.table, entries), records.map((x) => x.id)) : null;
    const rowContext = (j: number): Record<string, number> => {
      const context: Record<string, number> = scores ? { ...contexts[j]!, ...scores[j]! } : { ...contexts[j]! };
      if (sequence) context[SEQUENCE_SCORE_FIELD] = sequence[j]!;
      return context;
    };
    const tensors = buildFeatureTensors(spec, records.map((item, j) => ({ user, item, context: rowContext(j) })), { now, perUser: true });
    const tModel = performance.now();
    const out = await this.#rank(r, tensors);
    const modelMs = performance.now() - tModel;
    const pClick = out.pClick!;
    const watch = out.watchFraction ?? null;
    const rankMs = performance.now() - t;

    t = performance.now();
    const best = personal ? 0 : bestPopularity(records.map((x) => x.popularity));
    const candidates: RerankCandidate[] = refs.map((ref, j) => {
      const w = watch ? watch[j]! : null;
      const c: RerankCandidate = {
        id: records[j]!.id,
        // A new user's feed is by popularity (src/core/feed newUserScore).
        score: personal ? feedScore(pClick[j]!, w) : newUserScore(records[j]!.popularity, best),
        pClick: pClick[j]!,
        watchFraction: w,
        embedding: vectors[j]!,
        categories: records[j]!.categories,
        popularity: records[j]!.popularity,
        source: ref.shard === r.catalog.head ? 'head' : 'retrieval',
      };
      if (records[j]!.created !== undefined) c.created = records[j]!.created!;
      return c;
    });
    const ranked = composeFeed(candidates, entries, { count, now, seen, hidden, seed: this.#feeds++ });
    const indexOf = new Map(records.map((rec, j) => [rec.id, j] as const));
    const items = ranked.map((x): FeedItem => {
      const j = indexOf.get(x.id)!;
      const ref = refs[j]!;
      const duration = records[j]!.durationSeconds;
      return {
        id: x.id,
        score: x.score,
        pClick: x.pClick,
        watchFraction: x.watchFraction,
        title: meta(ref, 'title') || x.id,
        image: meta(ref, 'image'),
        durationSeconds: duration ?? null,
        reason: x.reason,
      };
    });
    this.#timings = { userVectorMs, retrieveMs, rankMs, modelMs, rerankMs: performance.now() - t };
    return items;
  }

  async track(event: TrackEvent): Promise<void> {
    const r = this.#need();
    // Validate before anything else touches storage: a bad event writes nothing.
    const valid = validateTrackEvent(event, this.#now());
    const ref = r.catalog.find(valid.itemId);
    const item = ref ? { record: r.catalog.record(ref), embedding: r.catalog.vector(ref), releaseId: r.catalog.manifest.releaseId } : null;
    if (r.forgotten) {
      r.forgotten = false;
      await r.history.useRelease(r.catalog.manifest.releaseId);
      if (r.options.sync) r.sync = await this.#startSync(r);
    }
    r.view.appended(await r.history.append(valid, item, r.options.scope));
    r.sync?.notify();
  }

  async status(): Promise<FeedStatus> {
    const r = this.#ready;
    return {
      releaseId: r?.catalog.manifest.releaseId ?? null,
      release: r ? { signed: r.release.signed, sequence: r.release.manifest.sequence ?? null } : null,
      backends: { retrieval: r?.retrieval ?? null, ranking: r?.ranker.provider ?? null },
      cached: r?.release.source === 'cache',
      offline: typeof navigator !== 'undefined' && navigator.onLine === false,
      historySize: r ? await r.history.count() : 0,
      timings: this.#timings,
      releaseProblem: r?.release.problem ?? null,
      sync: r?.sync ? await r.sync.status() : r?.options.sync ? idleSync(r) : null,
      verification: r ? feedVerification(r.ranker, r.userTower, r.retrievalCheck) : null,
    };
  }

  async forget(): Promise<ForgetResult> {
    const r = this.#need();
    // The queue must not write to the database while it is deleted; it restarts with the next event.
    await r.sync?.stop();
    r.sync = null;
    // Read before the database goes: the app's backend erases these installs' events on the server.
    const installIds = await installIdsOf(r.history);
    await r.history.forget();
    await deleteOndeckCaches();
    r.view.invalidate();
    r.userVector = null;
    // Not opened here: the database is created again only when the feed next uses it.
    r.history = new HistoryStore(new HistoryConnection(r.options.database), DEFAULT_MAX_EVENTS, this.#now);
    r.forgotten = true;
    return { installIds };
  }

  async flush(): Promise<SyncStatus | null> {
    const r = this.#need();
    if (r.sync) return r.sync.flush();
    return r.options.sync ? idleSync(r) : null;
  }

  /** The sync queue over r.history; the server defaults to the worker's (the page's) origin. */
  #startSync(r: Ready): Promise<Sync> {
    return createSync({
      history: r.history,
      sync: r.options.sync!,
      database: r.options.database,
      // Only events recorded under this feed's mode and name leave (see EventScope).
      strictScope: true,
      now: this.#now,
      release: () => r.catalog.manifest.releaseId,
    });
  }

  #need(): Ready {
    if (!this.#ready) throw new FeedNotReadyError('the feed is not initialised: await createFeed() (init) first');
    return this.#ready;
  }

  /**
   * The user vector, and where the ranker reads the history scores, the tower's vector of each
   * newest history entry alone (one batched call; src/core/feed entryTowerInputs).
   */
  async #userVectors(r: Ready, user: { history: HistoryEntry[] }, now: number): Promise<{ vector: Float32Array; entries: { vectors: Float32Array; rows: number } }> {
    const spec = r.catalog.manifest.featureSpec;
    const tensors = buildFeatureTensors(spec, [{ user }], { now, only: r.userFeatures });
    const vector = (await r.userTower!.run(tensors)).userVector!;
    const history = r.userFeatures.find((name) => spec.features.find((f) => f.name === name)?.kind === 'history');
    if (!readsHistoryScores(spec) || history === undefined) return { vector, entries: { vectors: new Float32Array(0), rows: 0 } };
    const { inputs, rows } = entryTowerInputs(tensors, history);
    const vectors = rows > 0 ? (await r.userTower!.run(inputs)).userVector! : new Float32Array(0);
    return { vector, entries: { vectors, rows } };
  }

  /**
   * Runs the ranker. A WebGPU device can be lost at any time (driver reset, GPU process crash,
   * the tab in the background too long): the ranker is then recreated on WASM (or plain JS) and the feed goes
   * on; status() reports the provider in use.
   */
  async #rank(r: Ready, tensors: Parameters<ModelRunner['run']>[0]) {
    try {
      return await r.ranker.run(tensors);
    } catch (err) {
      if (!(err instanceof ModelDeviceLostError)) throw err;
      const manifest = r.catalog.manifest;
      const lost = r.ranker;
      r.ranker = await createModelRunner(await r.release.artifact(manifest.models.ranker.artifact), manifest.models.ranker, { providers: r.options.deviceLostProviders });
      if (r.userTower?.provider === 'webgpu' && manifest.models.userTower) {
        const tower = r.userTower;
        r.userTower = await createModelRunner(await r.release.artifact(manifest.models.userTower.artifact), manifest.models.userTower, { providers: r.options.deviceLostProviders });
        void tower.dispose().catch(() => {});
      }
      void lost.dispose().catch(() => {});
      return r.ranker.run(tensors);
    }
  }

  #release(r: Ready | null): void {
    if (!r) return;
    void r.sync?.stop();
    r.view.close();
    for (const x of r.retrievers.values()) x.dispose();
    r.retrievers.clear();
  }

  async #retrieve(r: Ready, userVector: Float32Array, k: number, exclude: (id: string) => boolean): Promise<ItemRef[]> {
    // In cluster id order, so a set of clusters has one key and one retriever however they rank.
    // A small catalogue is loaded whole: retrieval is then exact, as the pipeline evaluates it,
    // and which clusters a device fetches says nothing about its user.
    const probe = clusterProbe(r.catalog);
    const clusters = (await r.catalog.nearestClusters(userVector, probe)).sort((a, b) => a.cluster - b.cluster);
    const shards = [r.catalog.head, ...clusters];
    const key = clusters.map((s) => s.cluster).join(',');
    // A user's nearest clusters move among a few sets as the history grows: keep the last few
    // retrievers (their shards already copied into WASM or GPU memory) instead of rebuilding.
    let retriever = r.retrievers.get(key);
    if (retriever) r.retrievers.delete(key);
    else retriever = await createRetriever(r.retrieval, shards);
    r.retrievers.set(key, retriever);
    for (const [old, x] of r.retrievers) {
      if (r.retrievers.size <= FEED_DEFAULTS.retrieversKept) break;
      x.dispose();
      r.retrievers.delete(old);
    }
    let found;
    try {
      found = await retriever.search(userVector, k, (s, i) => exclude(String(shards[s]!.id(i))));
    } catch (err) {
      // A lost WebGPU device: go on with WASM (or JS where WASM cannot run), as status() reports.
      if (r.retrieval !== 'webgpu') throw err;
      for (const x of r.retrievers.values()) x.dispose();
      r.retrievers.clear();
      const selection = await chooseRetrievalBackend('auto', [r.catalog.head], { ...(await detectCapabilities()), webgpu: false }, r.catalog.manifest.retrievalGolden);
      selection.retriever.dispose();
      r.retrievalCheck = retrievalCheckAfterFailure(selection, r.retrieval, err);
      r.retrieval = selection.backend;
      return this.#retrieve(r, userVector, k, exclude);
    }
    return Array.from(found.item, (item, j) => ({ shard: shards[found.shard[j]!]!, index: item }));
  }

}

/** The sync status of a feed whose queue has not restarted since forget(): nothing pending. */
function idleSync(r: Ready): SyncStatus {
  const mode = r.options.scope.mode;
  return { mode: mode === 'off' ? 'aggregate' : mode, pending: 0, lastSyncAt: null, lastError: null, retryAt: null, rejected: 0, evicted: 0 };
}

/** The pseudonymous install ids the history holds (current last); none when it never synced so. */
async function installIdsOf(history: HistoryStore): Promise<string[]> {
  const [previous, current] = await Promise.all([history.getState('previousInstallIds'), history.getState('installId')]);
  return [...(previous ?? []), ...(current !== undefined ? [current] : [])];
}

/** Up to `n` head items (popular and fresh, alternating) the user has not seen or hidden. */
function headItems(catalog: Catalog, n: number, seen: ReadonlySet<string>, hidden: ReadonlySet<string>): ItemRef[] {
  const head: Shard = catalog.head;
  const refs: ItemRef[] = [];
  for (const i of catalog.headOrder()) {
    if (refs.length >= n) break;
    const id = String(head.id(i));
    if (!seen.has(id) && !hidden.has(id)) refs.push({ shard: head, index: i });
  }
  return refs;
}

/**
 * After a release change, moves the history's item snapshots into the new release (features and
 * vectors from its shards). Only the head is loaded at this point: items found there are
 * rewritten, the rest are marked stale (see workers/history/reembed.ts). Stale entries still
 * carry their id, categories and duration, which is what the models read of a history entry,
 * so the user vector keeps them; a later release change looks them up again.
 */
async function reembedOnReleaseChange(history: HistoryStore, catalog: Catalog): Promise<void> {
  const releaseId = catalog.manifest.releaseId;
  if ((await history.getState('embeddingReleaseId')) === releaseId) return;
  await history.reembed(releaseId, (id) => {
    const ref = catalog.find(id);
    return ref ? { record: catalog.record(ref), embedding: catalog.vector(ref) } : null;
  });
}

function meta(ref: ItemRef, field: string): string {
  return ref.shard.metaFields.includes(field) ? ref.shard.meta(field, ref.index) : '';
}
