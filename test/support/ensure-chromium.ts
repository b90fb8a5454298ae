// First step of `npm test`: make sure the browser projects have a Chromium before Vitest reads
// its config (vite.config.ts resolves the binary when it loads). A system Chromium (CHROME_PATH,
// /usr/bin/chromium) is used as it is; failing that, as root on Debian/Ubuntu, Debian's package is
// installed with apt-get; otherwise this stops with the commands that get one. Never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { ChromiumNotFoundError, findChromium } from './chromium.ts';

function run(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function tryFind(): string | undefined {
  try {
    return findChromium();
  } catch (err) {
    if (err instanceof ChromiumNotFoundError) return undefined;
    throw err;
  }
}

// CHROME_PATH pointing nowhere is a mistake to report, not a reason to install something else.
if (process.env['CHROME_PATH']) {
  try {
    findChromium();
  } catch (err) {
    console.error(`npm test: ${(err as Error).message}`);
    process.exit(1);
  }
} else if (!tryFind()) {
  const canApt = userInfo().uid === 0 && existsSync('/usr/bin/apt-get');
  if (canApt) {
    console.log('npm test: no Chromium found; installing Debian\'s chromium package (apt-get, about a minute)');
    if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) {
      console.error('npm test: apt-get could not install chromium');
    }
  }
  if (!tryFind()) {
    console.error(
      [
        'npm test: the browser tests need a Chromium, and none was found or could be installed here.',
        'Get one, then run npm test again:',
        '  - Debian/Ubuntu: sudo apt-get install -y chromium   (npm test does this itself when run as root)',
        '  - any OS with Chrome or Chromium: CHROME_PATH=/path/to/chrome npm test',
        '  - Playwright\'s build: npx playwright install chromium, then CHROME_PATH=<the path it prints>',
        '    (such builds may lack WebGPU, which the browser environment test requires)',
      ].join('\n'),
    );
    process.exit(1);
  }
}
