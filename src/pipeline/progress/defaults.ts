/**
 * Tunables of the terminal progress output, in one place.
 */
export const PROGRESS_DEFAULTS = Object.freeze({
  /**
   * Without a TTY (CI logs, a file), at most one line per stage per this many ms besides the
   * start and end lines: a 10-minute training run leaves ~300 lines, not one per batch.
   */
  plainIntervalMs: 2000,
  /** On a TTY, redraws at most this often: every tick would cost more than the work it reports. */
  redrawMs: 100,
  /** Stage names are padded to this width so the bars of successive stages line up. */
  nameWidth: 12,
  barWidth: 24,
  /** Used when the stream does not say how wide it is. */
  columns: 80,
});
