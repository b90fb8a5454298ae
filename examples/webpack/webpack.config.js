// webpack 5, as a team writes it: webpack bundles the package's worker from its
// `new Worker(new URL('./feed-worker.js', import.meta.url))` and copies the onnxruntime-web
// runtime files the worker points at with `new URL(..., import.meta.url)` (asset modules).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OndeckWebpackPlugin } from 'ondeck/webpack';

const here = dirname(fileURLToPath(import.meta.url));

export default {
  mode: 'production',
  context: here,
  entry: './src/main.js',
  output: {
    path: resolve(here, 'dist'),
    filename: 'main.js',
    // Relative to the page, so dist/ can be served from any path.
    publicPath: 'auto',
    clean: true,
  },
  // Optional: without it the feed works the same, but webpack spends ~40 s minifying ondeck's
  // already minified worker again.
  plugins: [new OndeckWebpackPlugin()],
  performance: { hints: false },
};
