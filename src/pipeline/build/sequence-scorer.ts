/**
 * The step table's sequence score (src/core/feed/step-table.ts) of feed candidates, in the
 * pipeline: the history entries the ranker's rows carry, read by the same core functions as on
 * the device.
 */
import { sequenceItems, sequenceScores, stepRows, type StepTable } from '../../core/feed/index.ts';
import { DEFAULT_HISTORY_EVENT_WEIGHTS, type FeatureSpec, type HistoryEntry } from '../../core/features/index.ts';
import type { EventType } from '../../core/events.ts';
import type { ExampleBuilder } from '../features/index.ts';

export class SequenceScorer {
  readonly table: StepTable;
  readonly #rows: Map<string, number>;
  readonly #builder: ExampleBuilder;

  constructor(table: StepTable, builder: ExampleBuilder) {
    this.table = table;
    this.#rows = stepRows(table);
    this.#builder = builder;
  }

  /** The score of each candidate (catalog indices) after the history `entries` (ExampleBuilder.history). */
  scores(entries: readonly HistoryEntry[], items: readonly number[]): Float64Array {
    return sequenceScores(this.table, this.#rows, sequenceItems(this.table, entries), items.map((i) => this.#builder.catalog[i]!));
  }
}

/** The event types the history features of `spec` count: the entries a sequence reads. */
export function sequenceEvents(spec: FeatureSpec): EventType[] {
  const events = new Set<EventType>();
  for (const f of spec.features) {
    if (f.kind !== 'history' && f.kind !== 'history-share') continue;
    for (const [type, w] of Object.entries(f.weighting.events ?? DEFAULT_HISTORY_EVENT_WEIGHTS)) if (w) events.add(type as EventType);
  }
  return [...events];
}
