/**
 * The feed page's status bar: what the device is doing, never guessed: the backend each stage
 * used and whether it reproduced the release's golden vectors (and which it passed over, why),
 * the release and where it came from, online or not, events waiting for sync, and the
 * last feed's stage timings. Each value sits in an element with `data-field`, for tests.
 */
import type { FeedStatus } from '../client/index.ts';

const FIELDS = ['release', 'backends', 'verified', 'source', 'network', 'offline-ready', 'history', 'sync', 'timings'] as const;
type Field = (typeof FIELDS)[number];

const LABELS: Record<Field, string> = {
  release: 'Release',
  backends: 'Backends',
  verified: 'Verified',
  source: 'Release from',
  network: 'Network',
  'offline-ready': 'Offline',
  history: 'History',
  sync: 'Sync',
  timings: 'Last feed',
};

export interface StatusBar {
  element: HTMLElement;
  update(status: FeedStatus | null): void;
  /** Shows an error from the feed (by name) until the next successful update. */
  error(name: string, message: string): void;
}

const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));

function time(at: number | null): string {
  return at === null ? 'never' : new Date(at).toLocaleTimeString();
}

export function createStatusBar(actions: { flush(): void; forget(): void }): StatusBar {
  const element = document.createElement('section');
  element.className = 'status-bar';
  element.setAttribute('aria-label', 'Feed status');
  const values = new Map<Field, HTMLElement>();
  for (const f of FIELDS) {
    const item = document.createElement('div');
    item.className = 'status-item';
    const label = document.createElement('span');
    label.className = 'status-label';
    label.textContent = LABELS[f];
    const value = document.createElement('span');
    value.className = 'status-value';
    value.dataset['field'] = f;
    value.textContent = '…';
    item.append(label, value);
    element.append(item);
    values.set(f, value);
  }
  const problem = document.createElement('div');
  problem.className = 'status-problem';
  problem.hidden = true;
  const buttons = document.createElement('div');
  buttons.className = 'status-actions';
  const flush = document.createElement('button');
  flush.type = 'button';
  flush.textContent = 'Sync now';
  flush.addEventListener('click', actions.flush);
  const forget = document.createElement('button');
  forget.type = 'button';
  forget.textContent = 'Forget my history';
  forget.addEventListener('click', actions.forget);
  buttons.append(flush, forget);
  element.append(buttons, problem);

  const set = (f: Field, text: string, state?: 'good' | 'warn' | 'bad') => {
    const v = values.get(f)!;
    v.textContent = text;
    if (state) v.dataset['state'] = state;
    else delete v.dataset['state'];
  };

  return {
    element,
    update(s) {
      const online = navigator.onLine;
      set('network', online ? 'online' : 'offline', online ? 'good' : 'warn');
      const controlled = 'serviceWorker' in navigator && navigator.serviceWorker.controller !== null;
      set('offline-ready', controlled ? 'ready (service worker)' : 'not yet', controlled ? 'good' : undefined);
      if (!s) return;
      // An unsigned release (the app allowed it) is named as such; a signed one shows its id alone.
      set('release', s.releaseId === null ? 'none' : `${s.releaseId}${s.release?.signed === false ? ' (unsigned)' : ''}`, s.release?.signed === false ? 'warn' : undefined);
      set('backends', `retrieval ${s.backends.retrieval ?? '–'} · ranking ${s.backends.ranking ?? '–'}`);
      const v = s.verification;
      if (v) {
        const passed = v.fallbacks.map((f) => `${f.stage} ${f.backend}: ${f.name}`).join(', ');
        const head = v.verified ? `golden vectors reproduced (${ms(v.ms)} ms)` : 'no golden vectors in this release';
        // A runtime that could not start is routine (no WebGPU here); one that ran wrong is not.
        const wrong = v.fallbacks.some((f) => /Golden|Gpu|DeviceLost/.test(f.name));
        set('verified', passed ? `${head} · passed over ${passed}` : head, v.verified && !wrong ? 'good' : 'warn');
        values.get('verified')!.title = v.fallbacks.map((f) => `${f.stage} ${f.backend}: ${f.name}: ${f.message}`).join('\n');
      }
      set('source', s.cached ? 'cache' : 'network', s.releaseProblem ? 'warn' : undefined);
      set('history', `${s.historySize} events on this device`);
      if (s.sync) {
        const sync = s.sync;
        const text = `${sync.pending} pending · last ${time(sync.lastSyncAt)}${sync.lastError ? ` · ${sync.lastError.name}` : ''}`;
        set('sync', text, sync.lastError ? 'warn' : sync.pending === 0 ? 'good' : undefined);
        values.get('sync')!.dataset['pending'] = String(sync.pending);
      } else {
        set('sync', 'off (nothing leaves the device)');
      }
      const t = s.timings;
      set(
        'timings',
        t
          ? `${ms(t.userVectorMs + t.retrieveMs + t.rankMs + t.rerankMs)} ms (user ${ms(t.userVectorMs)} · retrieve ${ms(t.retrieveMs)} · rank ${ms(t.rankMs)} (model ${ms(t.modelMs)}) · re-rank ${ms(t.rerankMs)})`
          : '–',
      );
      const p = s.releaseProblem;
      problem.hidden = !p;
      problem.textContent = p ? `Using the last good release: ${p.name}: ${p.message}` : '';
    },
    error(name, message) {
      problem.hidden = false;
      problem.textContent = `${name}: ${message}`;
    },
  };
}
