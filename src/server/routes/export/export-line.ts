/**
 * One exported event as a JSON line in the shape `ondeck build --dataset events` reads
 * (src/pipeline/data/events.ts loadEventsExport): `{ install, item, type, at, watchSeconds?,
 * durationSeconds? }`, plus `seq` (the cursor) and `watchFraction`, which the loader ignores.
 * The item's duration is not stored; it follows from watchSeconds / watchFraction when the
 * fraction was not clipped at 1.
 */
import type { ExportedEvent } from '../../store/types.ts';

export function exportLine(e: ExportedEvent): string {
  const out: Record<string, unknown> = { seq: e.seq, install: e.install, item: e.item, type: e.type, at: e.at };
  if (e.watchSeconds !== undefined) out.watchSeconds = e.watchSeconds;
  if (e.watchFraction !== undefined) out.watchFraction = e.watchFraction;
  if (e.watchSeconds !== undefined && e.watchFraction !== undefined && e.watchFraction > 0 && e.watchFraction < 1) {
    out.durationSeconds = Math.round((e.watchSeconds / e.watchFraction) * 1000) / 1000;
  }
  return JSON.stringify(out);
}
