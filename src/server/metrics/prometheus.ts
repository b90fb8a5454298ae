/** ServerMetrics as Prometheus text exposition (format 0.0.4). */
import type { CollectedMetrics } from './collect.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

class Exposition {
  #lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Record<string, string>, number]>): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const keys = Object.keys(labels);
      const l = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${label(labels[k]!)}"`).join(',')}}`;
      this.#lines.push(`${name}${l} ${num(value)}`);
    }
  }
  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

export function toPrometheus({ metrics: m, store }: CollectedMetrics): string {
  const x = new Exposition();
  x.family('ondeck_ingest_batches_total', 'counter', 'Batches stored by this process.', [[{}, m.ingest.batches]]);
  x.family('ondeck_ingest_events_total', 'counter', 'Events and counter rows stored by this process.', [[{}, m.ingest.events]]);
  x.family('ondeck_ingest_duplicates_total', 'counter', 'Replayed batches acknowledged without storing.', [[{}, m.ingest.duplicates]]);
  x.family('ondeck_ingest_rejected_total', 'counter', 'Rejected POST /v1/events requests by reason.',
    Object.entries(m.ingest.rejected).map(([reason, n]) => [{ reason }, n]));
  x.family('ondeck_store_batches', 'gauge', 'Batches in the feature store.', [[{}, store.batches]]);
  x.family('ondeck_store_events', 'gauge', 'Pseudonymous events in the feature store.', [[{}, store.events]]);
  const feeds = (f: (typeof m.feeds)[number]) => ({ feed: f.feed });
  x.family('ondeck_feed_impressions', 'gauge', 'Impressions per feed over the metrics window.', m.feeds.map((f) => [feeds(f), f.impressions]));
  x.family('ondeck_feed_clicks', 'gauge', 'Clicks per feed over the metrics window.', m.feeds.map((f) => [feeds(f), f.clicks]));
  x.family('ondeck_feed_ctr', 'gauge', 'Click-through rate per feed over the metrics window.',
    m.feeds.filter((f) => f.ctr !== null).map((f) => [feeds(f), f.ctr!]));
  x.family('ondeck_feed_watches', 'gauge', 'Watch events per feed over the metrics window.', m.feeds.map((f) => [feeds(f), f.watches]));
  x.family('ondeck_feed_watch_seconds', 'gauge', 'Watch time per feed over the metrics window, in seconds.', m.feeds.map((f) => [feeds(f), f.watchSeconds]));
  const drift = m.drift;
  x.family('ondeck_drift_psi', 'gauge', 'Population stability index of a feature, training window vs the last day.',
    drift ? drift.rows.map((r) => [{ feature: r.feature, release: drift.releaseId }, r.psi]) : []);
  x.family('ondeck_release_current', 'gauge', '1 for the release served as latest.',
    m.releases.filter((r) => r.current).map((r) => [{ release: r.releaseId }, 1]));
  return x.toString();
}
