// Global setup of the browser benchmark project (run by `npm run bench`, never by `npm test`).
import type { TestProject } from 'vitest/node';
import { findChromium } from './chromium.ts';
import { BENCH_RELEASE_URL, ensureBenchRelease } from './bench-release.ts';

export default async function setup(project: TestProject): Promise<void> {
  findChromium();
  await ensureBenchRelease();
  project.provide('benchRelease', BENCH_RELEASE_URL);
}
