/** Tunables of the demo app, in one place. */
export const APP_DEFAULTS = Object.freeze({
  /** The release and the sync server: the app's own origin (the ondeck server serves both). */
  release: '/v1/releases/latest',
  /**
   * The release key the app pins (base64 Ed25519 public key): set at build time from
   * VITE_ONDECK_RELEASE_KEY, which `ondeck start` fills from the demo's signing key
   * (models.signing-key.pem.pub). Without it the feed refuses every release and says why.
   */
  releaseKey: String(import.meta.env.VITE_ONDECK_RELEASE_KEY ?? ''),
  server: '/',
  /** The demo app key the server accepts by default. */
  appKey: 'demo',
  /** The feed name the events are counted under (CTR and watch time per feed). */
  feedName: 'home',
  /** Status bar refresh (ms); it also refreshes after every page and event. */
  statusPollMs: 2000,
  /** Dashboard refresh (ms). */
  metricsPollMs: 5000,
  metricsUrl: '/v1/metrics',
  serviceWorkerUrl: '/service-worker.js',
});
