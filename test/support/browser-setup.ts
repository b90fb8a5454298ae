// Global setup of the browser projects, run in Node before any page opens:
// 1. fail the run, loudly and with install advice, when there is no Chromium (never skip);
// 2. compute the Node side of the parity tests, so the page can compare its own results
//    with what the pipeline computes from the same src/core code;
// 3. build the tiny real release the device tests load (test/support/fixture-release.ts), a
//    6k-item one with many clusters (test/support/bench-release.ts), and a "wide" one over every
//    feature kind (test/support/wide-release.ts), and start building the demo release in models/
//    when there is none (test/support/demo-release.ts: in a child process, awaited by the tests
//    that load it through the `demoRelease` command); all signed (test/support/release-key.ts),
//    their public keys provided for the tests to pin;
// 4. start the real ondeck server the sync tests send events to (test/support/sync-server.ts),
//    on a temporary database, any origin allowed; stopped when the run ends.
import type { TestProject } from 'vitest/node';
import { findChromium } from './chromium.ts';
import { deviceReference } from './device-reference.ts';
import { CLUSTER_RELEASE_URL, ensureClusterRelease } from './bench-release.ts';
import { DEMO_RELEASE_URL, startDemoRelease } from './demo-release.ts';
import { WIDE_RELEASE_URL, ensureWideRelease } from './wide-release.ts';
import { FIXTURE_RELEASE_URL, ensureFixtureRelease } from './fixture-release.ts';
import { IMPORTED_RELEASE_URL, ensureImportedRelease } from './imported-release.ts';
import { nodeReference } from './node-reference.ts';
import { testSigningKey, testSigningKeyPkcs8 } from './release-key.ts';
import { startSyncServer } from './sync-server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  findChromium();
  // First: the longest build, on the other core while everything else is prepared.
  const demo = startDemoRelease();
  project.provide('nodeReference', nodeReference());
  const dir = await ensureFixtureRelease();
  project.provide('fixtureRelease', FIXTURE_RELEASE_URL);
  project.provide('deviceReference', await deviceReference(dir));
  await ensureClusterRelease();
  project.provide('clusterRelease', CLUSTER_RELEASE_URL);
  project.provide('demoReleaseKey', demo.publicKey);
  project.provide('demoRelease', DEMO_RELEASE_URL);
  project.provide('releaseKey', testSigningKey().publicKey);
  project.provide('releaseSigningKey', testSigningKeyPkcs8());
  await ensureWideRelease();
  project.provide('wideRelease', WIDE_RELEASE_URL);
  await ensureImportedRelease();
  project.provide('importedRelease', IMPORTED_RELEASE_URL);
  const sync = await startSyncServer({ allowedOrigins: '*' });
  project.provide('syncServer', { url: sync.url, secret: sync.secret, appKey: sync.appKey });
  return async () => {
    demo.stop();
    await sync.close();
  };
}
