// One place that knows how this project starts Chromium: the Vitest browser projects, the
// end-to-end tests and the benchmarks all launch it from here, so a flag is changed once.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

const DEFAULT_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Finds Chromium at CHROME_PATH or the Debian paths; throws with install advice otherwise. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['CHROME_PATH'];
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new ChromiumNotFoundError(
      `CHROME_PATH is set to ${fromEnv}, but no file is there. Point it at a Chromium binary, or unset it to use /usr/bin/chromium.`,
    );
  }
  const found = DEFAULT_PATHS.find((p) => existsSync(p));
  if (found) return found;
  throw new ChromiumNotFoundError(
    'No Chromium found for the browser tests (looked at CHROME_PATH and ' +
      DEFAULT_PATHS.join(', ') +
      '). Install it with `sudo apt-get update && sudo apt-get install -y chromium` ' +
      '(Debian/Ubuntu), or set CHROME_PATH to a Chromium or Chrome binary. ' +
      'Browser tests never skip: they are half of the proof.',
  );
}

export interface ChromiumFlags {
  /** Expose WebGPU; on a machine without a GPU this is SwiftShader: correct, slow. */
  webgpu?: boolean;
}

/**
 * Flags for a quiet, reproducible headless Chromium. The network flags matter here: without
 * them Chromium keeps dialing Google's hosts, which this machine's closed network refuses.
 */
export function chromiumArgs({ webgpu = true }: ChromiumFlags = {}): string[] {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return args;
}

/** Launch options for playwright's chromium.launch(); playwright gives each launch a fresh profile. */
export function chromiumLaunchOptions(flags: ChromiumFlags = {}): {
  executablePath: string;
  args: string[];
  headless: boolean;
} {
  return { executablePath: findChromium(), args: chromiumArgs(flags), headless: true };
}

/** A fresh, empty user-data dir, for launches that keep a persistent profile. */
export function freshUserDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ondeck-chromium-'));
}
