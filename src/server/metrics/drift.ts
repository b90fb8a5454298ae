/**
 * Drift (PSI between the release's training window and the last day of events), computed by
 * src/server/drift and cached briefly: the dashboard polls /v1/metrics and
 * Prometheus scrapes /metrics, and neither needs it fresher than SERVER_DEFAULTS.driftCacheMs.
 */
import type { ServerMetrics } from '../../core/sync/metrics.ts';
import type { ServerContext } from '../context.ts';
import { SERVER_DEFAULTS } from '../defaults.ts';

type Drift = ServerMetrics['drift'];

export class DriftCache {
  #cached: { releaseId: string; at: number; value: Drift } | null = null;
  #pending: Promise<Drift> | null = null;
  readonly #ctx: ServerContext;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  async get(releaseId: string | null): Promise<Drift> {
    const { releases, options } = this.#ctx;
    if (!releases || releaseId === null) return null;
    const now = options.now();
    const c = this.#cached;
    if (c && c.releaseId === releaseId && now - c.at < SERVER_DEFAULTS.driftCacheMs) return c.value;
    this.#pending ??= this.#compute(releases.root, releaseId, now).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #compute(releaseDir: string, releaseId: string, now: number): Promise<Drift> {
    let value: Drift = null;
    try {
      // Loaded on first use: a server without releases never reads drift code.
      const { computeDrift } = await import('../drift/index.ts');
      value = await computeDrift({ store: this.#ctx.options.store, releaseDir, releaseId, now });
    } catch (error) {
      // Metrics must answer even when drift cannot be computed (no baseline, a broken release).
      this.#ctx.options.onInternalError(error);
    }
    this.#cached = { releaseId, at: now, value };
    return value;
  }
}
