import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, findChromium } from './test/support/chromium.ts';
import { CROSS_ORIGIN_ISOLATION_HEADERS } from './test/support/static-server.ts';
import { isolationSplit } from './test/support/isolation-files.ts';
import { demoRelease } from './test/support/demo-release-command.ts';

// The browser projects need the binary only when they run; resolving it lazily keeps
// `vitest --project unit` usable on a machine without Chromium. The global setup fails the run
// with install advice when it is missing.
function chromiumOrPlaceholder(): string {
  try {
    return findChromium();
  } catch {
    return '/nonexistent/chromium';
  }
}

// expect.poll's 1 s default is a wall-clock bound a loaded machine can miss; this one only guards
// a hang (the test's own timeout is the other guard).
const POLL = { timeout: 30_000 };

// The browser tests' limit guards a hang only, never how fast the machine is. A test that starts
// a runtime does real work whose time a busy machine multiplies: a feed worker compiles
// onnxruntime's 28 MB of WebAssembly, and WebGPU compiles its shaders on SwiftShader (the demo
// ranker's first WebGPU run: 10 s on an idle 2-core machine, past 60 s beside another heavy job,
// which failed golden-parity, feed and feed-gpu-error at the old 60 s limit). Hooks do the same
// work (a beforeAll that opens the first session), so they get the same guard.
const BROWSER_HANG_MS = 300_000;

function browserProject(name: string, isolated: boolean, include: string[], groupOrder: number, globalSetup = 'test/support/browser-setup.ts') {
  return {
    server: { host: '127.0.0.1', headers: isolated ? { ...CROSS_ORIGIN_ISOLATION_HEADERS } : {} },
    // Imported on demand (after a WebGPU adapter is found); listed so Vite pre-bundles them up
    // front instead of discovering them mid-test and reloading the page.
    optimizeDeps: { include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-web', 'comlink', 'idb', 'hnswlib-wasm'] },
    test: {
      name,
      include,
      globalSetup: [globalSetup],
      provide: { isolated },
      testTimeout: BROWSER_HANG_MS,
      hookTimeout: BROWSER_HANG_MS,
      expect: { poll: POLL },
      sequence: { groupOrder },
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({
          launchOptions: { executablePath: chromiumOrPlaceholder(), args: chromiumArgs({ webgpu: true }) },
        }),
        instances: [{ browser: 'chromium' as const }],
        commands: { demoRelease },
      },
    },
  };
}

// The projects run one after another (sequence.groupOrder): on a 2-core machine a unit worker, two
// Chromiums rendering WebGPU through SwiftShader and the e2e browser at once took a test that
// needs 1 s past its 60 s limit. One at a time, each has the machine, and the run is no slower.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Starts an embedded Postgres for the Postgres adapter's tests unless
          // ONDECK_TEST_POSTGRES_URL names one.
          globalSetup: ['test/support/postgres-setup.ts'],
          testTimeout: 60_000,
          expect: { poll: POLL },
          // Vitest's default on 2 cores is one worker (cores - 1), which leaves a core idle: most
          // files are single-threaded Node. Each file gets its own temp folders, databases and ports.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      // Cross-origin isolated, as an app that sets COOP/COEP serves the runtime.
      browserProject('browser', true, ['test/browser/**/*.test.ts'], 1),
      // No COOP/COEP, as most webviews: the runtime must work there too. It runs the browser tests
      // whose code reads the isolation or runs onnxruntime-web (test/support/isolation-files.ts);
      // the others (IndexedDB, sync queue, WebCrypto, core JS) run the same code in either page.
      browserProject('browser-plain', false, isolationSplit(fileURLToPath(new URL('.', import.meta.url))).both, 2),
      // The demo end to end: the real server (temp SQLite) serving the built app and a small
      // release, driven in Chromium by playwright-core (test/e2e/setup.ts builds both once).
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/setup.ts'],
          // One browser at a time on this 2-core machine; the steps of a file share one page.
          fileParallelism: false,
          sequence: { groupOrder: 3 },
          // The browser projects' hang guard, for tests and hooks: these drive Chromium through whole feeds.
          testTimeout: BROWSER_HANG_MS,
          expect: { poll: POLL },
          hookTimeout: BROWSER_HANG_MS,
        },
      },
      // The examples/ apps with the packed library (test/examples/setup.ts packs, installs the
      // tarball offline and builds each app once), served beside the real server, in Chromium.
      {
        test: {
          name: 'examples',
          include: ['test/examples/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/examples/setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 5 },
          // The browser projects' hang guard, for tests and hooks: these drive Chromium through whole feeds.
          testTimeout: BROWSER_HANG_MS,
          expect: { poll: POLL },
          hookTimeout: BROWSER_HANG_MS,
        },
      },
      // Benchmarks in the page: run by `npm run bench` only (npm test names its projects).
      browserProject('bench-browser', true, ['test/bench/browser/**/*.bench-browser.ts'], 4, 'test/support/bench-setup.ts'),
    ],
  },
});
