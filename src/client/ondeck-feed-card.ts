/**
 * One card of `<ondeck-feed>`: thumbnail (the item's image, or art generated from its id, so a
 * catalog without images needs no network), duration, title and the reason it is in the feed.
 */
import type { FeedItem } from '../core/feed/index.ts';

/** FNV-1a over UTF-16 units: a stable colour seed per id, not a security hash. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A gradient with a few soft shapes, derived from the id: same item, same picture. */
export function placeholderArt(doc: Document, id: string): SVGSVGElement {
  const h = hash32(id);
  const hue = h % 360;
  const hue2 = (hue + 40 + ((h >>> 9) % 80)) % 360;
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 160 90');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid slice');
  svg.setAttribute('aria-hidden', 'true');
  const gradId = `g${h.toString(36)}`;
  const circles = [0, 1, 2]
    .map((k) => {
      const x = (h >>> (k * 7)) % 160;
      const y = (h >>> (k * 5 + 3)) % 90;
      const r = 18 + ((h >>> (k * 3 + 11)) % 30);
      return `<circle cx="${x}" cy="${y}" r="${r}" fill="#fff" fill-opacity="${0.06 + k * 0.04}"/>`;
    })
    .join('');
  // Built from numbers only: nothing from the item reaches innerHTML.
  svg.innerHTML =
    `<defs><linearGradient id="${gradId}" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="hsl(${hue} 70% 45%)"/><stop offset="1" stop-color="hsl(${hue2} 65% 22%)"/>` +
    `</linearGradient></defs><rect width="160" height="90" fill="url(#${gradId})"/>${circles}` +
    `<g class="play-icon"><circle cx="80" cy="45" r="15" fill="#000" fill-opacity=".28"/><path d="M75 37.5v15l12.5-7.5z" fill="#fff" fill-opacity=".9"/></g>`;
  return svg;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * The image URL a card may load: https, or the page's own origin; null for anything else
 * (http elsewhere, data:, blob:, javascript:, unparsable). Image URLs come from the shards: a
 * plain-http image would leak what the user watches to the network, and an image host learns
 * nothing from the referrer either (see renderThumb).
 */
export function safeImageUrl(image: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(image, base);
  } catch {
    return null;
  }
  if (url.protocol === 'https:') return url.href;
  return url.origin === new URL(base).origin && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : null;
}

/** The thumbnail block: the image when the item has one (falling back to art if it fails), else art. */
export function renderThumb(doc: Document, item: FeedItem): HTMLElement {
  const thumb = doc.createElement('div');
  thumb.className = 'thumb';
  const src = item.image ? safeImageUrl(item.image, doc.baseURI) : null;
  if (src) {
    const img = doc.createElement('img');
    img.loading = 'lazy';
    img.alt = '';
    // The page's URL is none of the image host's business.
    img.referrerPolicy = 'no-referrer';
    img.src = src;
    img.addEventListener('error', () => img.replaceWith(placeholderArt(doc, item.id)), { once: true });
    thumb.append(img);
  } else {
    thumb.append(placeholderArt(doc, item.id));
  }
  const duration = formatDuration(item.durationSeconds);
  if (duration) {
    const badge = doc.createElement('span');
    badge.className = 'duration';
    badge.textContent = duration;
    thumb.append(badge);
  }
  return thumb;
}

/**
 * The card. Buttons carry `data-action` (like, hide); a click anywhere else opens the player.
 * `data-ondeck-item` is the item id, the hook for tests and host pages.
 */
export function renderCard(doc: Document, item: FeedItem): HTMLElement {
  const card = doc.createElement('article');
  card.className = 'card';
  card.tabIndex = 0;
  card.dataset['ondeckItem'] = item.id;
  card.setAttribute('aria-label', item.title);

  const body = doc.createElement('div');
  body.className = 'body';
  const title = doc.createElement('h3');
  title.className = 'title';
  title.textContent = item.title;
  const reason = doc.createElement('div');
  reason.className = 'reason';
  reason.textContent = item.reason;
  const actions = doc.createElement('div');
  actions.className = 'actions';
  actions.append(actionButton(doc, 'like', '♥ Like', 'Like'), actionButton(doc, 'hide', '✕ Not interested', 'Hide this item'));
  body.append(title, reason, actions);
  card.append(renderThumb(doc, item), body);
  return card;
}

function actionButton(doc: Document, action: string, text: string, label: string): HTMLButtonElement {
  const b = doc.createElement('button');
  b.type = 'button';
  b.dataset['action'] = action;
  b.textContent = text;
  b.setAttribute('aria-label', label);
  if (action === 'like') b.setAttribute('aria-pressed', 'false');
  return b;
}
