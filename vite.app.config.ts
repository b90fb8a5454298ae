/**
 * The production build of the demo app (`npm run build` -> dist/app): the feed and dashboard
 * pages, the feed worker, the onnxruntime-web runtime files and the service worker. Separate
 * from vite.config.ts, which holds the test projects.
 *
 * After the build (and after the service worker is written) a size report is printed and saved
 * as dist/app/size.json: gzipped JS per file and in total (onnxruntime-web's JS glue counts as
 * JS), the wasm files apart.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { build as viteBuild, defineConfig, type Plugin } from 'vite';

const ROOT = import.meta.dirname;
/** The JS budget in gzipped bytes (what a page may download before its feed renders, and more). */
export const JS_BUDGET_GZIP = 250 * 1024;

export interface SizeEntry {
  file: string;
  bytes: number;
  gzip: number;
}

export interface SizeReport {
  /** Every JS file of the build, the onnxruntime-web glue (.mjs) and the service worker included. */
  js: { files: SizeEntry[]; bytes: number; gzip: number };
  /** Chunks only a device with WebGPU loads (tfjs WebGPU retrieval, imported on demand). */
  webgpuOnlyJs: { files: string[]; gzip: number };
  /** What the budget is checked against: all JS except the WebGPU-only chunks. */
  budget: { gzip: number; measuredGzip: number; measured: string; within: boolean };
  css: { bytes: number; gzip: number };
  wasm: SizeEntry[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

function entry(dir: string, path: string): SizeEntry {
  const bytes = readFileSync(path);
  // -9 for code (what a server precompressing its assets would send); the default level for the
  // 28 MB wasm, where -9 costs seconds per build for a fraction of a percent.
  const level = path.endsWith('.wasm') ? 6 : 9;
  return { file: relative(dir, path), bytes: statSync(path).size, gzip: gzipSync(bytes, { level }).length };
}

export function sizeReport(dir: string): SizeReport {
  const files = walk(dir);
  const js = files.filter((f) => /\.m?js$/.test(f)).map((f) => entry(dir, f)).sort((a, b) => b.gzip - a.gzip);
  const css = files.filter((f) => f.endsWith('.css')).map((f) => entry(dir, f));
  const wasm = files.filter((f) => f.endsWith('.wasm')).map((f) => entry(dir, f));
  const gzip = js.reduce((s, f) => s + f.gzip, 0);
  const webgpu = js.filter((f) => /(^|\/)tfjs-/.test(f.file));
  const webgpuGzip = webgpu.reduce((s, f) => s + f.gzip, 0);
  return {
    js: { files: js, bytes: js.reduce((s, f) => s + f.bytes, 0), gzip },
    webgpuOnlyJs: { files: webgpu.map((f) => f.file), gzip: webgpuGzip },
    budget: {
      gzip: JS_BUDGET_GZIP,
      measuredGzip: gzip - webgpuGzip,
      measured: 'all JS (both pages, feed worker, onnxruntime-web glue, service worker) except the WebGPU-only tfjs chunks',
      within: gzip - webgpuGzip <= JS_BUDGET_GZIP,
    },
    css: { bytes: css.reduce((s, f) => s + f.bytes, 0), gzip: css.reduce((s, f) => s + f.gzip, 0) },
    wasm,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function formatSizeReport(r: SizeReport): string {
  const lines = ['', 'size report (gzip -9; wasm gzip -6)', '  JS files:'];
  for (const f of r.js.files) lines.push(`    ${f.file.padEnd(56)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzip).padStart(9)}`);
  lines.push(
    `  JS total (without wasm): ${kb(r.js.bytes)}, gzip ${kb(r.js.gzip)}`,
    `    WebGPU-only chunks (tfjs, loaded only where WebGPU retrieval runs): gzip ${kb(r.webgpuOnlyJs.gzip)}`,
    `    JS without them: gzip ${kb(r.budget.measuredGzip)} — budget ${kb(r.budget.gzip)}: ${r.budget.within ? 'within' : 'OVER'}`,
    `  CSS: ${kb(r.css.bytes)}, gzip ${kb(r.css.gzip)}`,
    '  wasm (onnxruntime-web runtime, fetched by the feed worker, precached by the service worker):',
  );
  for (const f of r.wasm) lines.push(`    ${f.file.padEnd(56)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzip).padStart(9)}`);
  return lines.join('\n');
}

/** The web app manifest (installable PWA), written beside index.html. */
const WEB_MANIFEST = {
  name: 'ondeck — on-device feed',
  short_name: 'ondeck',
  description: 'A feed ranked on your device, that works offline.',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#0f1115',
  theme_color: '#0f1115',
  icons: [
    { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
    { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
  ],
};

/** What the service worker precaches: the app shell, chunks, the feed worker, onnxruntime's glue and wasm. */
const PRECACHE = /\.(html|js|mjs|css|svg|png|webmanifest|wasm)$/;
/** Vite's file names carry a content hash: those need no revision of their own. */
const HASHED = /-[A-Za-z0-9_-]{8}\./;

/**
 * The service worker (workers/service-worker.ts): after the app is written, lists its files as a
 * Workbox precache manifest (URL + revision, the content's hash for names without one) and
 * bundles the worker with Workbox's runtime into dist/app/service-worker.js, the list in place of
 * `self.__WB_MANIFEST`. Our own ~40 lines rather than vite-plugin-pwa: its workbox-build pulls in
 * rollup, whose platform packages this npm registry lacks, which broke `npm ci`.
 */
function serviceWorkerPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'ondeck:service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    transformIndexHtml: () => [{ tag: 'link', attrs: { rel: 'manifest', href: '/manifest.webmanifest' }, injectTo: 'head' }],
    closeBundle: {
      sequential: true,
      order: 'post',
      async handler() {
        writeFileSync(join(outDir, 'manifest.webmanifest'), JSON.stringify(WEB_MANIFEST, null, 2) + '\n');
        const entries = walk(outDir)
          .filter((f) => PRECACHE.test(f) && !f.endsWith('service-worker.js'))
          .map((f) => {
            const url = `/${relative(outDir, f).split('\\').join('/')}`;
            const revision = HASHED.test(url) ? null : createHash('sha256').update(readFileSync(f)).digest('hex').slice(0, 16);
            return { url, revision };
          })
          .sort((a, b) => a.url.localeCompare(b.url));
        await viteBuild({
          configFile: false,
          logLevel: 'warn',
          mode: 'production',
          // Workbox keeps its development logging behind process.env.NODE_ENV.
          define: { 'self.__WB_MANIFEST': JSON.stringify(entries), 'process.env.NODE_ENV': JSON.stringify('production') },
          build: {
            outDir,
            emptyOutDir: false,
            target: 'es2022',
            minify: true,
            lib: { entry: resolve(ROOT, 'workers/service-worker.ts'), formats: ['iife'], name: 'ondeckServiceWorker', fileName: () => 'service-worker.js' },
          },
        });
        console.log(`service worker: ${entries.length} files precached`);
      },
    },
  };
}

/** Runs after the service worker is written (both close sequentially, in plugin order). */
function sizeReportPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'ondeck:size-report',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      sequential: true,
      order: 'post',
      handler() {
        const report = sizeReport(outDir);
        writeFileSync(join(outDir, 'size.json'), JSON.stringify(report, null, 2) + '\n');
        console.log(formatSizeReport(report));
      },
    },
  };
}

export default defineConfig({
  root: resolve(ROOT, 'src/app'),
  publicDir: resolve(ROOT, 'public'),
  base: '/',
  // Pre-bundling in dev, as the browser test projects do.
  optimizeDeps: { include: ['onnxruntime-web', 'comlink', 'idb', 'uplot'] },
  build: {
    outDir: resolve(ROOT, 'dist/app'),
    emptyOutDir: true,
    target: 'es2022',
    // The wasm and the glue must stay files: onnxruntime-web loads them by URL.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    reportCompressedSize: false,
  },
  // Module workers: the feed worker code-splits (the WebGPU retrieval is imported on demand).
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        // Name the on-demand tfjs chunks after their package ("dist" otherwise), so the size
        // report can tell the WebGPU-only code apart.
        chunkFileNames: (chunk) => {
          const tf = chunk.moduleIds.find((id) => id.includes('/@tensorflow/'))?.match(/@tensorflow\/([\w-]+)/)?.[1];
          return tf ? `assets/${tf}-[hash].js` : 'assets/[name]-[hash].js';
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [ROOT] },
    // `vite -c vite.app.config.ts` for development, with `ondeck serve` running beside it.
    proxy: { '/v1': 'http://127.0.0.1:8787', '/metrics': 'http://127.0.0.1:8787' },
  },
  plugins: [
    serviceWorkerPlugin(),
    sizeReportPlugin(),
  ],
});
