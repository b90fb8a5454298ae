/**
 * The `ondeck` library build (`npm run build -w ondeck` -> packages/ondeck/dist), from the repo's
 * own sources (src/client, src/core, workers), so the tests that run on the sources test what
 * ships. Two Vite builds, run by scripts/build.mjs:
 *
 * - worker: dist/feed-worker.js, one self-contained, minified ES module (onnxruntime-web and the
 *   on-demand WebGPU retrieval inlined: a file an app's bundler copies as is cannot bring chunks
 *   along), with onnxruntime-web's runtime beside it (ort-wasm-simd-threaded.jsep.wasm/.mjs,
 *   stable names, for apps that self-host them elsewhere: FeedOptions.wasmPaths);
 * - page: dist/index.js (createFeed, <ondeck-feed>), comlink bundled in, so no bare import is
 *   left and a plain `<script type="module">` page loads it without an import map. It starts the
 *   worker through packages/ondeck/src/feed-runtime.ts, aliased over src/client/feed-runtime.ts.
 *
 * Not Vite's library mode: it inlines every asset as base64, the 28 MB wasm included.
 */
import { resolve } from 'node:path';
import type { InlineConfig } from 'vite';

const ROOT = resolve(import.meta.dirname, '../..');
export const OUT = resolve(import.meta.dirname, 'dist');
const SOURCE_RUNTIME = resolve(ROOT, 'src/client/feed-runtime.ts');
const PACKAGE_RUNTIME = resolve(import.meta.dirname, 'src/feed-runtime.ts');

const common: InlineConfig = {
  configFile: false,
  root: ROOT,
  // Relative URLs (`new URL('x', import.meta.url)`): dist/ works wherever it is served from.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  mode: 'production',
};

export const workerBuild: InlineConfig = {
  ...common,
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      input: { 'feed-worker': resolve(ROOT, 'workers/feed-worker.ts') },
      output: { format: 'es', entryFileNames: '[name].js', assetFileNames: '[name][extname]', codeSplitting: false },
    },
  },
};

export const pageBuild: InlineConfig = {
  ...common,
  plugins: [
    {
      name: 'ondeck:package-feed-runtime',
      enforce: 'pre',
      async resolveId(source, importer, options) {
        const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
        return resolved?.id === SOURCE_RUNTIME ? PACKAGE_RUNTIME : null;
      },
    },
  ],
  build: {
    outDir: OUT,
    emptyOutDir: false,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: false,
    reportCompressedSize: false,
    rolldownOptions: {
      input: { index: resolve(ROOT, 'src/client/index.ts') },
      preserveEntrySignatures: 'strict',
      output: { format: 'es', entryFileNames: '[name].js' },
    },
  },
};
