import { defineOndeckFeed, ONDECK_FEED_EVENTS } from 'ondeck';

// Where your ondeck server runs and the release key `ondeck build` printed; both can come from
// the page's query for a quick try.
const params = new URLSearchParams(location.search);
const server = params.get('server') ?? 'http://127.0.0.1:8787';
const releaseKey = params.get('release-key') ?? 'PASTE-THE-KEY-ONDECK-BUILD-PRINTED';

defineOndeckFeed();
const feed = document.createElement('ondeck-feed');
feed.setAttribute('release', `${server}/v1/releases/latest`);
feed.setAttribute('release-key', releaseKey);
feed.addEventListener(ONDECK_FEED_EVENTS.error, (e) => console.error('ondeck', e.detail));
document.querySelector('#feed').append(feed);
