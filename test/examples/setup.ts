// Global setup of the examples project, once per run: pack the library, install the tarball into
// a copy of each example offline and build it (pack-examples.ts), and make sure the e2e release
// exists (cached in test/e2e/.release-cache). Fails loudly without Chromium, never skips.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { findChromium } from '../support/chromium.ts';
import { ensureE2eRelease } from '../e2e/e2e-release.ts';
import { EXAMPLES, WORK, packExamples, type ExampleName } from './pack-examples.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** Per example, the folder its page is served from (build output or the page's folder). */
    exampleDirs: Record<ExampleName, string>;
    examplesReleaseDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  findChromium();
  const releaseDir = await ensureE2eRelease();
  const packed = await packExamples();
  console.log(`examples: ${EXAMPLES.join(', ')} packed, installed and built: ${JSON.stringify(packed.seconds)}`);
  project.provide('exampleDirs', packed.served);
  project.provide('examplesReleaseDir', releaseDir);
  return () => rmSync(WORK, { recursive: true, force: true });
}
