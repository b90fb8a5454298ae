// The demo release in models/ (what `npm start` serves), for the device parity tests: built once
// with the demo's own settings (src/cli/start.ts buildDemoRelease) when models/ holds none.
// `npm run demo-release` rebuilds it on demand, e.g. after a change to the feature spec.
//
// The build takes minutes on one core, so the browser global setup starts it in a child process
// (`ondeck demo-release`) and does not wait: the rest of the setup, the other projects' setups and
// the unit tests run on the other core meanwhile. The tests that load it first call the browser
// command `demoRelease` (demo-release-command.ts), which waits for the same build: both reach it
// through one promise kept on globalThis, since the setup and the Vite config load this folder as
// separate module instances in the one Vitest process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { START_DEFAULTS, demoSigningKey, signDemoRelease } from '../../src/cli/start.ts';
import { DEMO_RELEASE_SLOT, type DemoReleaseSlot } from './demo-release-command.ts';

export const DEMO_RELEASE_DIR = resolve(START_DEFAULTS.release);
/** Where the Vite server of the browser projects serves it. */
export const DEMO_RELEASE_URL = `/${START_DEFAULTS.release}/manifest.json`;

const slot = globalThis as { [DEMO_RELEASE_SLOT]?: DemoReleaseSlot };

/**
 * Starts making sure the demo release exists and is signed with the demo key; returns that key's
 * public half at once (the key is made before any build, so the build signs with it) and the
 * promise of the release being ready.
 */
export function startDemoRelease(): { publicKey: string; ready: Promise<void>; stop(): void } {
  const { key } = demoSigningKey(DEMO_RELEASE_DIR);
  let s = slot[DEMO_RELEASE_SLOT];
  if (!s) {
    let child: ChildProcess | null = null;
    const ready = (async () => {
      if (!existsSync(join(DEMO_RELEASE_DIR, 'manifest.json'))) {
        console.error(`${START_DEFAULTS.release}/ holds no release and the browser tests need it: building it in the background (ondeck demo-release)`);
        child = spawn(process.execPath, ['src/cli/ondeck.mjs', 'demo-release'], { stdio: ['ignore', 'inherit', 'inherit'] });
        const running = child;
        const code = await new Promise<number | null>((done, fail) => {
          running.once('error', fail);
          running.once('exit', (c) => done(c));
        });
        child = null;
        if (code !== 0) throw new Error(`ondeck demo-release exited with ${code}; its output is above`);
      }
      await signDemoRelease(DEMO_RELEASE_DIR, key);
    })();
    // Awaited by the tests through the command; a failure surfaces there, not as an unhandled rejection here.
    ready.catch(() => {});
    s = { ready, stop: () => void (child as ChildProcess | null)?.kill() };
    slot[DEMO_RELEASE_SLOT] = s;
  }
  return { publicKey: key.publicKey, ready: s.ready, stop: s.stop };
}
