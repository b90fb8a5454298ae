/**
 * The one IndexedDB schema of the on-device history (idb's typed DBSchema). Every store and index
 * the code touches is named here; migrations.ts creates them, version by version.
 */
import type { DBSchema } from 'idb';
import type { EventType } from '../../src/core/events.ts';
import type { ShardItemRecord } from '../../src/core/feed/shard-item.ts';
import type { SyncMode } from '../../src/core/sync/wire.ts';

/**
 * What an event was recorded under: the feed's sync mode ('off' without sync) and feed name. A
 * sync queue sends only events of its own mode and feed, so an event recorded with sync off or
 * in aggregate mode never leaves in a pseudonymous batch (nor the other way round).
 */
export interface EventScope {
  mode: SyncMode | 'off';
  feed: string;
}

/**
 * The item as the models saw it when the event happened: its `item.*` features rebuilt from the
 * shard (id, categories, durationSeconds, created, popularity, any other column) plus its vector.
 * A snapshot, not a reference: shards are replaced by every release, and the user tower must
 * still read items that are gone from the current one.
 */
export interface ItemSnapshot extends ShardItemRecord {
  /** The item vector in the embedding space of `releaseId`; absent when unknown or stale. */
  embedding?: Float32Array;
  /** The release whose shards the snapshot came from; null when the item was in none. */
  releaseId: string | null;
  /**
   * Set when a release whose embedding space differs no longer has this item (see reembed.ts):
   * the features are kept (they are still true of the item), the vector is dropped.
   */
  stale?: true;
}

/**
 * IndexedDB keys cannot be booleans, so the sync flag is a number, indexable: 0 not yet
 * acknowledged, 1 acknowledged by the server, 2 in a batch the server refused for good (the
 * batch is kept in the outbox as a dead letter, see workers/sync).
 */
export type SyncFlag = 0 | 1 | 2;

/** One interaction in the append-only log. */
export interface StoredEvent {
  /** Log position: the store's autoIncrement key, strictly increasing across tabs. */
  seq: number;
  type: EventType;
  itemId: string;
  /** Milliseconds since the epoch. */
  at: number;
  watchSeconds?: number;
  /** watchSeconds / the item's duration, in [0, 1]; absent when either is unknown. */
  watchFraction?: number;
  item: ItemSnapshot;
  /** The sync scope it was recorded under; absent on events logged before scopes existed or through the bare history API. */
  scope?: EventScope;
  /** 1 once the sync queue has delivered it (2: refused by the server, kept as a dead letter). */
  synced: SyncFlag;
}

/** A StoredEvent before the store assigned its seq. */
export type NewEvent = Omit<StoredEvent, 'seq'>;

/** When a release was first and last used on this device; for rollback and clean-up decisions. */
export interface ReleaseRecord {
  releaseId: string;
  firstUsed: number;
  lastUsed: number;
}

/** The derived state kept beside the log; each key has its own value type. */
export interface HistoryStateMap {
  /** The user vector computed from history, valid for one release and one log position. */
  userVector: { releaseId: string; vector: Float32Array; lastSeq: number; at: number };
  /** The release the feed last ran on. */
  lastReleaseId: string;
  /** The release whose embedding space the snapshots are in (written by reembed). */
  embeddingReleaseId: string;
  /** Random id of this install, for pseudonymous sync; rotated by the sync code. */
  installId: string;
  /** When installId was made (ms since the epoch): it is rotated after SYNC_DEFAULTS.installIdRotationMs. */
  installIdAt: number;
  /** Install ids rotated out, newest last: the server may still hold their events, so forget() reports them. */
  previousInstallIds: string[];
  /**
   * The highest seq the sync queue has put into an outbox batch. Present once sync has run on
   * this database; from then on eviction never takes an event above it unless the log is over
   * its hard cap (event-log.ts): events at or below it live on in their batch's body.
   */
  syncAssignedThrough: number;
  /** Events evicted over the hard cap before the sync queue had put them in a batch: lost to sync, counted. */
  syncEvicted: number;
  /** When the server last acknowledged a batch (ms since the epoch). */
  lastSyncAt: number;
}
export type HistoryStateKey = keyof HistoryStateMap;

export interface HistoryDB extends DBSchema {
  events: {
    key: number;
    value: StoredEvent;
    indexes: {
      at: number;
      itemId: string;
      synced: SyncFlag;
      /** [type, itemId]: the events of one item and type, for migrations and tools. */
      typeItem: [EventType, string];
    };
  };
  /**
   * How many events of the log each (type, item) pair has, kept in step with every append and
   * eviction. The seen and hidden sets are its keys, read in one request per type: walking an
   * index of 5000 events one cursor step at a time cost 50-130 ms, too slow for every feed.
   * Except `hide`: its counts are not taken down by eviction, so a hidden item stays hidden
   * after its event leaves the bounded log (until forget()).
   */
  interactions: {
    key: [EventType, string];
    value: number;
  };
  state: {
    key: HistoryStateKey;
    value: HistoryStateMap[HistoryStateKey];
  };
  releases: {
    key: string;
    value: ReleaseRecord;
  };
  /** Batches of the sync queue, persisted before the first send (schema version 2). */
  outbox: {
    key: string;
    value: OutboxRecord;
  };
}

/**
 * One batch of the sync queue: a contiguous run of the log (seq first..last) and the exact
 * request body sent for it. The body is built once, when the events are assigned, and resent
 * byte for byte after a failure or a reload: the server dedupes by batch id, so a batch is stored
 * exactly once even when an acknowledgement was lost (and noise, drawn once, is never redrawn).
 */
export interface OutboxRecord {
  batchId: string;
  /** Seq of the first and last event of the batch. */
  first: number;
  last: number;
  /** Events of the log in the batch (an aggregate batch has fewer rows). */
  events: number;
  /** The EventBatch as JSON, exactly as sent. */
  body: string;
  createdAt: number;
  /** 'rejected': the server refused it for good (4xx); kept as a dead letter, never resent automatically. */
  state: 'pending' | 'rejected';
  /** Why the server refused it, when it did. */
  rejection?: { status: number; name: string; message: string };
}
