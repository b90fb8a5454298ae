// The browser command `demoRelease()`: resolves once the demo release that the browser global
// setup started (demo-release.ts) is built and signed, and fails with the build's error. Kept free
// of heavy imports: vite.config.ts loads it on every run, unit runs included.
import type { BrowserCommand } from 'vitest/node';

/** Where demo-release.ts keeps its one build for this process. */
export const DEMO_RELEASE_SLOT = Symbol.for('ondeck.test.demoRelease');

export interface DemoReleaseSlot {
  ready: Promise<void>;
  /** Ends a build still running (the run is over or was cancelled). */
  stop(): void;
}

export const demoRelease: BrowserCommand<[]> = async () => {
  const slot = (globalThis as { [DEMO_RELEASE_SLOT]?: DemoReleaseSlot })[DEMO_RELEASE_SLOT];
  if (!slot) throw new Error('the demo release was never started: the browser projects\' global setup (test/support/browser-setup.ts) starts it');
  await slot.ready;
};

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Waits for the demo release in models/ (test/support/demo-release-command.ts). */
    demoRelease: () => Promise<void>;
  }
}
