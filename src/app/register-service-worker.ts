/**
 * Registers the service worker of a production build (vite.app.config.ts writes it next to
 * index.html). Not in development: a dev server's modules change on every edit, and a stale
 * precache would serve old ones.
 */
import { APP_DEFAULTS } from './defaults.ts';

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  // After load: installing precaches the onnxruntime wasm, which should not compete with the page.
  const register = () => {
    navigator.serviceWorker.register(APP_DEFAULTS.serviceWorkerUrl, { scope: '/' }).catch((err: unknown) => {
      console.warn('ondeck: service worker not registered; the feed still works online', err);
    });
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}
