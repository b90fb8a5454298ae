/**
 * Training and evaluation rows for the models. Each row sees the user's history as it was just
 * before the row's own moment (strictly earlier interactions), and `now` is that moment, so
 * recency weights and item ages are what the device would have computed then: no look-ahead.
 */
import { DEFAULT_HISTORY_EVENT_WEIGHTS, type FeatureRow, type HistoryEntry } from '../../core/features/index.ts';
import { createRng } from '../data/prng.ts';
import { FEATURE_DEFAULTS } from './defaults.ts';
import type { Dataset, Interaction, Item } from '../data/types.ts';
import type { FeaturePlan } from './derive-spec.ts';
import { itemRecord, type ItemRecord } from './item-record.ts';

export interface Examples {
  rows: FeatureRow[];
  /** The moment of each row (ms): history recency and item age are measured from it. */
  nows: Float64Array;
  labels: Float32Array;
  /** Watch fraction of clicked rows where the data has it, else NaN. */
  watch: Float32Array;
  /** Catalog index of each row's item. */
  items: Int32Array;
  users: string[];
}

export interface ExampleOptions {
  /** For explicit and implicit feedback: random unseen items per positive, labelled 0. */
  negativesPerPositive: number;
  seed: number;
}

export class ExampleBuilder {
  readonly catalog: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** The dataset's items, by id (the feed evaluation reads their categories). */
  readonly itemMap: ReadonlyMap<string, Item>;
  readonly #records: ItemRecord[];
  readonly #ds: Dataset;
  readonly #events: ReadonlySet<string>;

  constructor(ds: Dataset, plan: FeaturePlan) {
    this.#ds = ds;
    this.catalog = [...ds.items.keys()];
    this.itemMap = ds.items;
    this.index = new Map(this.catalog.map((id, i) => [id, i]));
    this.#records = this.catalog.map((id) => itemRecord(ds.items.get(id)!, plan.popularity.get(id) ?? 0));
    // Every event some history feature counts (each feature picks its own from the entries).
    this.#events = new Set(
      plan.spec.features.flatMap((f) => (f.kind === 'history' || f.kind === 'history-share' ? Object.keys(f.weighting.events ?? DEFAULT_HISTORY_EVENT_WEIGHTS) : [])),
    );
  }

  item(i: number): ItemRecord {
    return this.#records[i]!;
  }

  /** The user scope of a row: side features and the history (most recent last). */
  user(userId: string, history: readonly HistoryEntry[]): Record<string, unknown> {
    return { ...(this.#ds.users.get(userId)?.features ?? {}), history };
  }

  /** History entries of these interactions that the spec counts, most recent `maxLength` only. */
  history(interactions: readonly Interaction[]): HistoryEntry[] {
    const kept = interactions.filter((x) => this.#events.has(x.type));
    return kept.slice(-FEATURE_DEFAULTS.historyEntriesKept).map((x) => this.#entry(x));
  }

  /**
   * One row per labelled train interaction, in time order, plus sampled negatives when the data
   * has no logged ones (explicit ratings, implicit feedback): the ranker must learn what a user
   * picks among items they were not shown, not only how they rate what they picked.
   */
  rankerExamples(train: readonly Interaction[], opts: ExampleOptions): Examples {
    const sample = opts.negativesPerPositive;
    return this.#build(train, () => true, sample, opts.seed);
  }

  /**
   * Rows for the labelled interactions `keep` selects, each with the history of everything
   * before it in `sequence` (train and earlier test interactions: what a device would hold
   * then). No sampled negatives where the data logs real ones: ranking is judged on what users
   * really did.
   */
  evaluationRows(sequence: readonly Interaction[], keep: (x: Interaction) => boolean, opts?: ExampleOptions): Examples {
    // Implicit feedback logs no negatives, and AUC needs both classes: there, and only there,
    // the same sampled negatives as in training stand in for them.
    const sample = this.#ds.feedback === 'implicit' && opts ? opts.negativesPerPositive : 0;
    return this.#build(sequence, keep, sample, opts?.seed ?? 0);
  }

  /** Positives only: the two-tower learns which item a user picks next. */
  retrievalExamples(train: readonly Interaction[]): Examples {
    return this.#build(train, (x) => x.label === 1, 0, 0);
  }

  /** A history entry keeps its item's record: the towers read its id and categories. */
  #entry(x: Interaction): HistoryEntry {
    const i = this.index.get(x.item);
    const item = i === undefined ? { id: x.item } : (this.#records[i] as unknown as Record<string, unknown>);
    const e: HistoryEntry = { item, type: x.type, at: x.at };
    if (x.watchFraction !== undefined) e.watchFraction = x.watchFraction;
    return e;
  }

  #build(train: readonly Interaction[], keep: (x: Interaction) => boolean, negatives: number, seed: number): Examples {
    const rng = createRng(seed);
    const out = { rows: [] as FeatureRow[], nows: [] as number[], labels: [] as number[], watch: [] as number[], items: [] as number[], users: [] as string[] };
    const entries = new Map<string, HistoryEntry[]>();
    const touched = new Map<string, Set<number>>();
    const pending: Interaction[] = [];
    const maxLength = FEATURE_DEFAULTS.historyEntriesKept;
    // Interactions are sorted by time; those sharing a timestamp join the history together,
    // after every row of that moment is built.
    const flush = () => {
      for (const x of pending) {
        if (!this.#events.has(x.type)) continue;
        const list = entries.get(x.user) ?? [];
        list.push(this.#entry(x));
        if (list.length > 2 * maxLength) list.splice(0, list.length - maxLength);
        entries.set(x.user, list);
      }
      pending.length = 0;
    };
    for (const x of train) {
      if (pending.length > 0 && pending[0]!.at !== x.at) flush();
      pending.push(x);
      const itemIndex = this.index.get(x.item);
      if (itemIndex === undefined) continue;
      let seen = touched.get(x.user);
      if (!seen) touched.set(x.user, (seen = new Set()));
      seen.add(itemIndex);
      if (!keep(x)) continue;
      const history = (entries.get(x.user) ?? []).slice(-maxLength);
      const user = this.user(x.user, history);
      const push = (item: number, label: number, watch: number) => {
        out.rows.push({ user, item: this.#records[item] as unknown as Record<string, unknown>, context: {} });
        out.nows.push(x.at);
        out.labels.push(label);
        out.watch.push(watch);
        out.items.push(item);
        out.users.push(x.user);
      };
      push(itemIndex, x.label, x.label === 1 && x.watchFraction !== undefined ? x.watchFraction : Number.NaN);
      if (x.label === 1) {
        for (let k = 0; k < negatives; k++) {
          let j = rng.int(this.catalog.length);
          for (let tries = 0; seen.has(j) && tries < 20; tries++) j = rng.int(this.catalog.length);
          push(j, 0, Number.NaN);
        }
      }
    }
    return {
      rows: out.rows,
      nows: Float64Array.from(out.nows),
      labels: Float32Array.from(out.labels),
      watch: Float32Array.from(out.watch),
      items: Int32Array.from(out.items),
      users: out.users,
    };
  }
}
