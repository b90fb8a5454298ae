/** One figure of a benchmark run: a median (and p95 when timed) of repeated runs after warm-up. */
export interface BenchFigure {
  /** Dotted key, e.g. `shard.decode.100k` */
  key: string;
  /** Human label for the table. */
  label: string;
  value: number;
  unit: string;
  p95?: number;
  note?: string;
}

export interface BenchSuite {
  name: string;
  run(opts: { quick: boolean }): Promise<BenchFigure[]>;
}
