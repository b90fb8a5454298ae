/** The feed page: `<ondeck-feed>` against this origin's server, under a live status bar. */
import { ONDECK_FEED_EVENTS, defineOndeckFeed, type OndeckFeedElement, type OndeckFeedErrorDetail } from '../client/index.ts';
import { APP_DEFAULTS } from './defaults.ts';
import { createStatusBar } from './status-bar.ts';

export function mountFeedPage(root: HTMLElement): OndeckFeedElement {
  defineOndeckFeed();
  const feed = document.createElement('ondeck-feed') as OndeckFeedElement;
  const bar = createStatusBar({
    flush: () => void feed.flush().then(refresh, () => undefined),
    forget: () => {
      if (!confirm('Delete the history kept on this device?')) return;
      void feed.feed?.forget().then(() => location.reload());
    },
  });
  // Page URL parameters tune the demo without a rebuild, e.g. ?playback-rate=60&backend=js.
  const params = new URLSearchParams(location.search);
  feed.setAttribute('release', APP_DEFAULTS.release);
  if (APP_DEFAULTS.releaseKey) feed.setAttribute('release-key', APP_DEFAULTS.releaseKey);
  feed.setAttribute('server', APP_DEFAULTS.server);
  feed.setAttribute('app-key', APP_DEFAULTS.appKey);
  feed.setAttribute('feed-name', APP_DEFAULTS.feedName);
  for (const name of ['backend', 'playback-rate', 'count', 'sync-mode']) {
    const v = params.get(name);
    if (v !== null) feed.setAttribute(name, v);
  }

  let pending = false;
  async function refresh(): Promise<void> {
    if (pending) return;
    pending = true;
    try {
      bar.update(await feed.status());
    } catch (err) {
      const e = err as { name?: string; message?: string };
      bar.error(e.name ?? 'Error', e.message ?? String(err));
    } finally {
      pending = false;
    }
  }
  for (const type of [ONDECK_FEED_EVENTS.ready, ONDECK_FEED_EVENTS.page, ONDECK_FEED_EVENTS.track]) {
    feed.addEventListener(type, () => void refresh());
  }
  feed.addEventListener(ONDECK_FEED_EVENTS.error, (e) => {
    const d = (e as CustomEvent<OndeckFeedErrorDetail>).detail;
    bar.error(d.name, d.message);
  });
  addEventListener('online', () => void refresh());
  addEventListener('offline', () => void refresh());
  setInterval(() => void refresh(), APP_DEFAULTS.statusPollMs);

  root.append(bar.element, feed);
  void refresh();
  return feed;
}
