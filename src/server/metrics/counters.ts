/** Ingest counters of this process since it started (Prometheus counter semantics). */
export class IngestCounters {
  batches = 0;
  /** Events (pseudonymous) and counter rows (aggregate) stored. */
  events = 0;
  duplicates = 0;
  readonly #rejections = new Map<string, number>();

  /** Bumped by every write of this process (a batch stored, an install deleted): the metrics cache compares it. */
  generation = 0;

  stored(items: number, duplicate: boolean): void {
    if (duplicate) this.duplicates++;
    else {
      this.batches++;
      this.events += items;
      this.generation++;
    }
  }

  /** A write that is not an ingest (a deletion) changed the store. */
  changed(): void {
    this.generation++;
  }

  reject(reason: string): void {
    this.#rejections.set(reason, (this.#rejections.get(reason) ?? 0) + 1);
  }

  /** Rejections by reason; the usual reasons are always present, at 0 when none happened. */
  rejected(): Record<string, number> {
    const out: Record<string, number> = { auth: 0, schema: 0, json: 0, size: 0, 'content-type': 0, rate: 0 };
    // Reasons added since (quota, conflict, deleted) appear once they happen, so the shape
    // dashboards and tests know stays as it was.
    for (const [reason, n] of this.#rejections) out[reason] = n;
    return out;
  }
}
