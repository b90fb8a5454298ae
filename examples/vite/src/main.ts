// No Vite configuration needed: `new Worker(new URL(..., import.meta.url))` in the package makes
// Vite bundle ondeck's worker and copy onnxruntime-web's runtime files into the build.
import { defineOndeckFeed, ONDECK_FEED_EVENTS, type OndeckFeedElement } from 'ondeck';

// Where your ondeck server runs (`npx ondeck serve` / `npm start` in the ondeck repository) and
// the release key `ondeck build` printed; both can come from the page's query for a quick try.
const params = new URLSearchParams(location.search);
const server = params.get('server') ?? 'http://127.0.0.1:8787';
const releaseKey = params.get('release-key') ?? 'PASTE-THE-KEY-ONDECK-BUILD-PRINTED';

defineOndeckFeed();
const feed = document.createElement('ondeck-feed') as OndeckFeedElement;
feed.setAttribute('release', `${server}/v1/releases/latest`);
feed.setAttribute('release-key', releaseKey);
feed.addEventListener(ONDECK_FEED_EVENTS.error, (e) => console.error('ondeck', (e as CustomEvent).detail));
document.querySelector('#feed')!.append(feed);
