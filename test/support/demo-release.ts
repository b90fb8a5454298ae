// The demo release in models/ (what `npm start` serves), for the device parity tests: built once
// with the demo's own settings (src/cli/start.ts buildDemoRelease) when models/ holds none.
// `npm run demo-release` rebuilds it on demand, e.g. after a change to the feature spec.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { START_DEFAULTS, buildDemoRelease, demoSigningKey, signDemoRelease } from '../../src/cli/start.ts';

export const DEMO_RELEASE_DIR = resolve(START_DEFAULTS.release);
/** Where the Vite server of the browser projects serves it. */
export const DEMO_RELEASE_URL = `/${START_DEFAULTS.release}/manifest.json`;

let building: Promise<string> | null = null;

/** Builds (or signs) the demo release as `ondeck start` does; resolves with the public key the demo app pins. */
export function ensureDemoRelease(): Promise<string> {
  building ??= (async () => {
    if (!existsSync(join(DEMO_RELEASE_DIR, 'manifest.json'))) {
      await buildDemoRelease(DEMO_RELEASE_DIR, `${START_DEFAULTS.release}/ holds no release and the browser tests need it`);
    }
    const { key } = demoSigningKey(DEMO_RELEASE_DIR);
    await signDemoRelease(DEMO_RELEASE_DIR, key);
    return key.publicKey;
  })();
  return building;
}
