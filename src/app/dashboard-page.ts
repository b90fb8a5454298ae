/**
 * The dashboard: what the feature store knows, from GET /v1/metrics, polled. Events over time
 * (with the releases marked), CTR and watch time per feed, feature drift (PSI against the
 * training window of the current release) and the release history.
 */
import type uPlot from 'uplot';
import type { ServerMetrics } from '../core/sync/index.ts';
import { barChart, EVENT_COLORS, timeChart, type Marker } from './dashboard-charts.ts';
import { APP_DEFAULTS } from './defaults.ts';

const DAY_S = 86_400;
const PSI_COLORS = { stable: '#3ecf8e', shift: '#f5a524', drift: '#ff5a5f' } as const;

interface Panel {
  body: HTMLElement;
  chart: uPlot | null;
}

function section(parent: HTMLElement, title: string, name: string, note = ''): Panel {
  const s = document.createElement('section');
  s.className = 'panel';
  s.dataset['panel'] = name;
  const h = document.createElement('h2');
  h.textContent = title;
  s.append(h);
  if (note) {
    const p = document.createElement('p');
    p.className = 'panel-note';
    p.textContent = note;
    s.append(p);
  }
  const body = document.createElement('div');
  body.className = 'panel-body';
  s.append(body);
  parent.append(s);
  return { body, chart: null };
}

function empty(panel: Panel, text: string): void {
  panel.chart?.destroy();
  panel.chart = null;
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = text;
  panel.body.replaceChildren(p);
}

function draw(panel: Panel, make: (el: HTMLElement) => uPlot): void {
  panel.chart?.destroy();
  panel.body.replaceChildren();
  panel.chart = make(panel.body);
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const minutes = (v: number) => (v >= 600 ? `${(v / 60).toFixed(0)} min` : v >= 60 ? `${(v / 60).toFixed(1)} min` : `${v.toFixed(0)} s`);
const fixed = (d: number) => (v: number) => v.toFixed(d);

/** Days from the first to the last (UTC), every day present, counts per type (zero filled). */
export function dailySeries(daily: ServerMetrics['daily']): { days: number[]; types: Map<string, number[]> } {
  if (daily.length === 0) return { days: [], types: new Map() };
  const dayS = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
  const all = daily.map((r) => dayS(r.day));
  const first = Math.min(...all);
  const last = Math.max(...all);
  const days: number[] = [];
  for (let t = first; t <= last; t += DAY_S) days.push(t);
  const types = new Map<string, number[]>();
  for (const r of daily) {
    let row = types.get(r.type);
    if (!row) types.set(r.type, (row = days.map(() => 0)));
    row[Math.round((dayS(r.day) - first) / DAY_S)]! += r.count;
  }
  return { days, types };
}

function tiles(el: HTMLElement, m: ServerMetrics): void {
  const all = m.feeds.find((f) => f.feed === '*');
  const rejected = Object.values(m.ingest.rejected).reduce((a, b) => a + b, 0);
  const items: Array<[string, string, string]> = [
    ['events', 'Events stored', String(m.ingest.events)],
    ['batches', 'Batches', String(m.ingest.batches)],
    ['duplicates', 'Duplicate batches', String(m.ingest.duplicates)],
    ['rejected', 'Rejected requests', String(rejected)],
    ['ctr', 'CTR (all feeds)', all?.ctr == null ? '–' : pct(all.ctr)],
    ['watch', 'Watch time', all ? minutes(all.watchSeconds) : '–'],
  ];
  el.replaceChildren(
    ...items.map(([key, label, value]) => {
      const t = document.createElement('div');
      t.className = 'tile';
      const v = document.createElement('div');
      v.className = 'tile-value';
      v.dataset['metric'] = key;
      v.textContent = value;
      const l = document.createElement('div');
      l.className = 'tile-label';
      l.textContent = label;
      t.append(v, l);
      return t;
    }),
  );
}

function releaseTable(el: HTMLElement, releases: ServerMetrics['releases']): void {
  if (releases.length === 0) {
    el.innerHTML = '<p class="empty">No release published yet: run <code>ondeck build</code>.</p>';
    return;
  }
  const table = document.createElement('table');
  table.className = 'releases';
  table.innerHTML = '<thead><tr><th>Release</th><th>Created</th><th></th></tr></thead>';
  const body = document.createElement('tbody');
  for (const r of releases) {
    const tr = document.createElement('tr');
    for (const text of [r.releaseId, new Date(r.created).toLocaleString(), r.current ? 'current (served as latest)' : '']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    if (r.current) tr.className = 'current';
    body.append(tr);
  }
  table.append(body);
  el.replaceChildren(table);
}

function render(panels: Record<'events' | 'ctr' | 'watch' | 'drift', Panel>, m: ServerMetrics): void {
  const { days, types } = dailySeries(m.daily);
  const markers: Marker[] = m.releases.map((r) => ({ at: Date.parse(r.created) / 1000, label: r.releaseId, current: r.current }));
  if (days.length === 0) empty(panels.events, 'No events yet. Open the feed, scroll, click and watch: events arrive here after sync.');
  else {
    const series = [...types].map(([type, values]) => ({ label: type, values, color: EVENT_COLORS[type] ?? '#ccc' }));
    draw(panels.events, (el) => timeChart(el, days, series, markers));
  }

  const feeds = [...m.feeds].sort((a, b) => (a.feed === '*' ? -1 : b.feed === '*' ? 1 : a.feed.localeCompare(b.feed)));
  const names = feeds.map((f) => (f.feed === '*' ? 'all feeds' : f.feed));
  if (feeds.length === 0) {
    empty(panels.ctr, 'No impressions yet.');
    empty(panels.watch, 'No watch events yet.');
  } else {
    draw(panels.ctr, (el) => barChart(el, names, [{ label: 'CTR', values: feeds.map((f) => f.ctr), color: '#ff5a5f' }], { format: pct, minTop: 0.05 }));
    draw(panels.watch, (el) =>
      barChart(
        el,
        names,
        [{ label: 'Watch time per watch', values: feeds.map((f) => (f.watches > 0 ? f.watchSeconds / f.watches : null)), color: '#3ecf8e' }],
        { format: minutes, minTop: 60 },
      ),
    );
  }

  const drift = m.drift;
  if (!drift || drift.rows.length === 0) {
    empty(panels.drift, 'No drift figures yet: they need a release with a training-window baseline and events from the last day.');
  } else {
    const rows = drift.rows;
    const features = rows.map((r) => r.feature);
    const series = (['stable', 'shift', 'drift'] as const).map((status) => ({
      label: status,
      values: rows.map((r) => (r.status === status ? r.psi : null)),
      color: PSI_COLORS[status],
    }));
    draw(panels.drift, (el) =>
      barChart(el, features, series, { format: fixed(2), minTop: 0.3, lines: [{ value: 0.1, label: 'shift 0.1' }, { value: 0.25, label: 'drift 0.25' }] }),
    );
  }
}

export function mountDashboard(root: HTMLElement): void {
  root.classList.add('dashboard');
  const head = document.createElement('div');
  head.className = 'dash-head';
  const title = document.createElement('h1');
  title.textContent = 'Feature store';
  const state = document.createElement('span');
  state.className = 'dash-state';
  state.dataset['field'] = 'metrics-state';
  state.textContent = 'loading…';
  head.append(title, state);
  const tileRow = document.createElement('div');
  tileRow.className = 'tiles';
  const grid = document.createElement('div');
  grid.className = 'panels';
  root.append(head, tileRow, grid);
  const panels = {
    events: section(grid, 'Events per day', 'events', 'All feeds, by event type (UTC days). Dashed lines: releases.'),
    ctr: section(grid, 'CTR per feed', 'ctr', 'Clicks / impressions (viewable: 50% for 1 s).'),
    watch: section(grid, 'Watch time per feed', 'watch', 'Mean seconds watched per watch event.'),
    drift: section(grid, 'Feature drift (PSI)', 'drift', 'Training window vs. the last day of events. < 0.1 stable, < 0.25 shift, else drift.'),
  };
  const releases = section(grid, 'Release history', 'releases', 'Newest first.');

  let last = '';
  let metrics: ServerMetrics | null = null;
  const redraw = () => {
    if (metrics) render(panels, metrics);
  };
  async function poll(): Promise<void> {
    try {
      const res = await fetch(APP_DEFAULTS.metricsUrl, { cache: 'no-store' });
      if (!res.ok) throw new Error(`GET ${APP_DEFAULTS.metricsUrl} answered ${res.status}`);
      const m = (await res.json()) as ServerMetrics;
      state.textContent = `updated ${new Date(m.at).toLocaleTimeString()}`;
      state.dataset['state'] = 'good';
      // Redraw only on change: a chart rebuilt every few seconds loses the reader's cursor.
      const key = JSON.stringify({ ...m, at: 0 });
      if (key === last) return;
      last = key;
      metrics = m;
      tiles(tileRow, m);
      releaseTable(releases.body, m.releases);
      render(panels, m);
    } catch (err) {
      state.textContent = `metrics unavailable (${navigator.onLine ? (err instanceof Error ? err.message : String(err)) : 'offline'})`;
      state.dataset['state'] = 'warn';
    }
  }
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redraw, 150);
  });
  void poll();
  setInterval(() => void poll(), APP_DEFAULTS.metricsPollMs);
}
