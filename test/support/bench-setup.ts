// Global setup of the browser benchmark project (run by `npm run bench`, never by `npm test`):
// builds (once, then cached under test/fixtures/) the releases the page benchmarks load.
// ONDECK_BENCH_SIZES picks the catalogue sizes of the feed benchmark (default 100k; the device
// suite of `npm run bench` asks for 10k,100k,1m, or 10k,100k with --quick).
import type { TestProject } from 'vitest/node';
import { findChromium } from './chromium.ts';
import { BENCH_RELEASE_URL, ML100K_RELEASE_URL, ensureBenchRelease, ensureMovieLensRelease, ensureSizedRelease, sizedReleaseUrl } from './bench-release.ts';
import { testSigningKey } from './release-key.ts';

const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 };

export default async function setup(project: TestProject): Promise<void> {
  findChromium();
  await ensureBenchRelease();
  project.provide('benchRelease', BENCH_RELEASE_URL);
  const wanted = (process.env['ONDECK_BENCH_SIZES'] ?? '100k').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const releases: Record<string, string> = {};
  for (const name of wanted) {
    if (name === 'ml100k') {
      // The MovieLens release as `ondeck build` ships it, where the data is on this machine.
      const t = performance.now();
      if (await ensureMovieLensRelease()) {
        releases[name] = ML100K_RELEASE_URL;
        console.log(`bench: ml100k release ready (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      } else console.log('bench: no MovieLens-100K on this machine, so no ml100k release (test/support/movielens.ts)');
      continue;
    }
    const n = SIZES[name];
    if (n === undefined) throw new Error(`ONDECK_BENCH_SIZES: unknown size "${name}"; the sizes are ${[...Object.keys(SIZES), 'ml100k'].join(', ')}`);
    const t = performance.now();
    await ensureSizedRelease(n);
    console.log(`bench: ${name} release ready (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    releases[name] = n === 100_000 ? BENCH_RELEASE_URL : sizedReleaseUrl(n);
  }
  project.provide('benchReleases', releases);
  project.provide('benchQuick', process.env['ONDECK_BENCH_QUICK'] === '1');
  project.provide('releaseKey', testSigningKey().publicKey);
}
