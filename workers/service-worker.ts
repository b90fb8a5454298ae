/**
 * The demo app's service worker (bundled with its precache list by vite.app.config.ts): the app
 * shell and the onnxruntime-web runtime are precached, so a reload with no network still renders
 * the feed.
 * Releases: the manifest NetworkFirst (a new release wins whenever the server answers), the
 * content-addressed artifacts CacheFirst (immutable by construction; the feed worker verifies
 * every hash anyway and keeps its own copy of the release in Cache Storage).
 *
 * Everything comes from the app's own origin: Workbox is bundled into this file at build time,
 * nothing is loaded from a CDN. Unlike library modules, a service worker must add its listeners
 * while its script first runs, so this file does its work at top level.
 */
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst, NetworkFirst } from 'workbox-strategies';

declare global {
  interface WorkerGlobalScope {
    /** Replaced by the build with the precache list (the literal `self.__WB_MANIFEST`). */
    __WB_MANIFEST: Array<PrecacheEntry | string>;
  }
}

const SW = Object.freeze({
  releaseCache: 'ondeck-sw-release',
  artifactCache: 'ondeck-sw-artifacts',
  /** After this, a slow network loses to the cached manifest. */
  manifestTimeoutSeconds: 4,
  /** Artifacts of a few releases; the feed worker keeps the one it uses in its own cache. */
  maxArtifacts: 400,
});

const scope = self as unknown as ServiceWorkerGlobalScope;

// A new version takes over at once: the app is small and its chunks are content-addressed.
void scope.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

const sameOrigin = (url: URL) => url.origin === scope.location.origin;

// Every page of the app is the one index.html (the router picks the page); the API is not a page.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/v1\//, /^\/metrics/] }));

registerRoute(
  ({ url }) => sameOrigin(url) && /^\/v1\/releases\/latest\/?$/.test(url.pathname),
  new NetworkFirst({
    cacheName: SW.releaseCache,
    networkTimeoutSeconds: SW.manifestTimeoutSeconds,
    plugins: [new CacheableResponsePlugin({ statuses: [200] })],
  }),
);

registerRoute(
  ({ url }) => sameOrigin(url) && /^\/v1\/(?:[^?#]*\/)?artifacts\//.test(url.pathname),
  new CacheFirst({
    cacheName: SW.artifactCache,
    plugins: [new CacheableResponsePlugin({ statuses: [200] }), new ExpirationPlugin({ maxEntries: SW.maxArtifacts })],
  }),
);
