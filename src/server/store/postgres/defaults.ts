/** Tunables of the Postgres adapter. */
export const POSTGRES_DEFAULTS = {
  /**
   * Connections in the pool. Each ingest is one statement, so a handful keeps a busy server's
   * request concurrency fed without crowding Postgres (its default max_connections is 100).
   */
  poolSize: 10,
  /** Give up on connecting after this long, so a wrong URL fails the start instead of hanging it. */
  connectTimeoutMs: 5_000,
  /** Close idle connections after this long. */
  idleTimeoutMs: 30_000,
} as const;
