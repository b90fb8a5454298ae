/**
 * The demo app's one entry: the server answers every page path with index.html (SPA fallback),
 * and this picks the page. Each page is its own chunk, so the feed never loads the charts.
 */
import './app.css';
import { registerServiceWorker } from './register-service-worker.ts';

const root = document.getElementById('app')!;
const path = location.pathname.replace(/\/+$/, '') || '/';
const page = path === '/dashboard' ? 'dashboard' : 'feed';
for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-page]')) {
  if (a.dataset['page'] === page) a.setAttribute('aria-current', 'page');
}

// One import() per branch: Vite lists each page's CSS beside its own dynamic import.
async function mount(): Promise<void> {
  if (page === 'dashboard') {
    const { mountDashboard } = await import('./dashboard-page.ts');
    mountDashboard(root);
  } else {
    const { mountFeedPage } = await import('./feed-page.ts');
    mountFeedPage(root);
  }
}
mount().catch((err: unknown) => {
  root.textContent = `Could not load the page: ${err instanceof Error ? err.message : String(err)}`;
});
registerServiceWorker();
