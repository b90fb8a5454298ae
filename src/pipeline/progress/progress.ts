import { formatCount } from '../report/index.ts';
import { PROGRESS_DEFAULTS } from './defaults.ts';
import { formatElapsed, formatRate, plainLine, ttyLine, type ProgressState } from './format-progress.ts';

/** The little of a Node stream this needs; a test passes a plain object. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width; absent on pipes and files. */
  columns?: number;
}

export interface ProgressOptions {
  /** Default: process.stderr, so progress never mixes into output a user pipes elsewhere. */
  stream?: ProgressStream;
  /**
   * Draw live bars redrawn in place (default: when the stream is a TTY). When false, plain
   * lines are written instead: stage start and end, and at most one line per 2 s between.
   */
  enabled?: boolean;
  /** Milliseconds clock; injectable so tests control time. */
  now?: () => number;
}

export interface StageProgress {
  /** Adds n (default 1) to the count; `info` (e.g. "loss 0.4321") replaces the previous one. */
  tick(n?: number, info?: string): void;
  /** Ends the stage with an optional one-line summary. Later calls, and ticks after it, are ignored. */
  done(summary?: string): void;
}

export interface Progress {
  /** Starts a stage; `total` gives it a bar and a percentage. Starting one ends the open line of the previous. */
  stage(name: string, total?: number): StageProgress;
}

const D = PROGRESS_DEFAULTS;

interface StageState extends ProgressState {
  finished: boolean;
  /** When this stage last wrote, to throttle redraws and plain lines. */
  lastWriteMs: number;
}

/**
 * Progress for the stages of `ondeck build`: one live bar per stage on a terminal (name, bar,
 * count/total, rate, elapsed), and a short plain log otherwise, since CI keeps every line.
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const live = options.enabled ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  // The stage whose line the cursor is on (TTY only); a new stage moves past it first.
  let openLine: StageState | null = null;

  const draw = (s: StageState, mark: string, end: string): void => {
    // A pseudo-terminal without a size (script, some CI runners) reports 0 columns.
    const columns = stream.columns !== undefined && stream.columns >= 20 ? stream.columns : D.columns;
    // \r back to column 0, the line, then clear what a longer previous line left behind.
    stream.write(`\r${ttyLine(s, { nameWidth: D.nameWidth, barWidth: D.barWidth, columns, mark })}\x1b[K${end}`);
    s.lastWriteMs = s.nowMs;
  };

  return {
    stage(name, total) {
      const start = now();
      const s: StageState = {
        name,
        count: 0,
        total,
        info: undefined,
        startMs: start,
        nowMs: start,
        finished: false,
        lastWriteMs: start,
      };
      if (live) {
        if (openLine !== null) stream.write('\n');
        openLine = s;
        draw(s, '…', '');
      } else {
        stream.write(`[${name}] start${total !== undefined ? `, ${formatCount(total)} to do` : ''}\n`);
      }
      return {
        tick(n = 1, info) {
          if (s.finished) return;
          s.count += n;
          if (info !== undefined) s.info = info;
          s.nowMs = now();
          if (live) {
            // Another stage took the line; redrawing this one would overwrite it.
            if (openLine === s && s.nowMs - s.lastWriteMs >= D.redrawMs) draw(s, '…', '');
          } else if (s.nowMs - s.lastWriteMs >= D.plainIntervalMs) {
            stream.write(`${plainLine(s)}\n`);
            s.lastWriteMs = s.nowMs;
          }
        },
        done(summary) {
          if (s.finished) return;
          s.nowMs = now();
          s.finished = true;
          if (summary !== undefined) s.info = summary;
          if (live) {
            // Another stage holds the cursor's line: leave it as drawn and finish below it; it
            // redraws on the fresh line after this one.
            if (openLine !== null && openLine !== s) stream.write('\n');
            draw(s, '✓', '\n');
            if (openLine === s) openLine = null;
          } else {
            stream.write(`${doneLine(s)}\n`);
          }
        },
      };
    },
  };
}

function doneLine(s: ProgressState): string {
  const elapsed = s.nowMs - s.startMs;
  const count = s.total !== undefined ? `${formatCount(s.count)}/${formatCount(s.total)}` : formatCount(s.count);
  const rate = s.count > 0 ? ` (${formatRate(s.count, elapsed)})` : '';
  return `[${s.name}] done: ${count} in ${formatElapsed(elapsed)}${rate}${s.info ? `; ${s.info}` : ''}`;
}
