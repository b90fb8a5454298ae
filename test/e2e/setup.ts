// Global setup of the e2e project, in Node before any test: fail loudly without Chromium (never
// skip), build the small real release (e2e-release.ts), and build the demo app
// once, with the production config, into a temp folder the tests' servers serve.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { findChromium } from '../support/chromium.ts';
import { testSigningKey } from '../support/release-key.ts';
import { ensureE2eRelease } from './e2e-release.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** The built demo app (index.html, assets, service worker). */
    e2eAppDir: string;
    /** The e2e release folder (manifest.json, artifacts/, releases/). */
    e2eReleaseDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  findChromium();
  const work = mkdtempSync(join(tmpdir(), 'ondeck-e2e-app-'));
  const appDir = join(work, 'app');
  // Vitest runs with NODE_ENV=test, and Vite would then make a development build (no service
  // worker registration, unminified): build what `npm run build` builds.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  // The app pins the key the e2e release is signed with, as `ondeck start` pins the demo's.
  const releaseKey = process.env.VITE_ONDECK_RELEASE_KEY;
  process.env.VITE_ONDECK_RELEASE_KEY = testSigningKey().publicKey;
  let releaseDir: string;
  try {
    // Both at once: the release trains on this thread (and one more) while Vite's bundler works
    // on its own threads. Neither reads the two variables above but Vite.
    [releaseDir] = await Promise.all([
      ensureE2eRelease(),
      build({ configFile: resolve('vite.app.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: appDir } }),
    ]);
  } finally {
    process.env.NODE_ENV = nodeEnv;
    if (releaseKey === undefined) delete process.env.VITE_ONDECK_RELEASE_KEY;
    else process.env.VITE_ONDECK_RELEASE_KEY = releaseKey;
  }
  project.provide('e2eAppDir', appDir);
  project.provide('e2eReleaseDir', releaseDir);
  return () => rmSync(work, { recursive: true, force: true });
}
