import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/core/release/index.ts';
import { ensureFixtureRelease } from '../../support/fixture-release.ts';
import { tempDir } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-cli-');
const CLI = resolve('src/cli/ondeck.mjs');
let release: string;
beforeAll(async () => {
  release = await ensureFixtureRelease();
}, 600_000);
afterAll(() => tmp.remove());

function serve(args: string[], env: Record<string, string> = {}): { child: ChildProcess; url: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  // From a temp folder: the defaults (models/ as release, models/feature-store.sqlite) must not
  // pick up whatever the checkout holds.
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: tmp.dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^ondeck serve: listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    exit.then((code) => reject(new Error(`ondeck serve exited (${code}) before listening: ${err}`)));
  });
  return { child, url, stderr: () => err, exit };
}

describe('ondeck serve', () => {
  it('prints the listening line, serves the release and the store, and stops on SIGTERM', async () => {
    const db = join(tmp.dir, 'cli.sqlite');
    const p = serve(['--port', '0', '--db', db, '--release', release], { ONDECK_APP_KEYS: 'demo,other' });
    const url = await p.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, store: 'sqlite' });
    parseManifest(await (await fetch(`${url}/v1/releases/latest`)).json());
    const token = await fetch(`${url}/v1/tokens`, { method: 'POST', headers: { 'x-ondeck-app': 'other' } });
    expect(token.status).toBe(200);
    // The generated secret key is kept beside the db, readable by its owner only.
    const keyFile = `${db}.secret`;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(p.stderr()).toContain(keyFile);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('uses ONDECK_SECRET_KEY for server-to-server calls', async () => {
    const p = serve(['--port', '0'], { ONDECK_SECRET_KEY: 'cli-secret-key-0123456789' });
    const url = await p.url;
    const ok = await fetch(`${url}/v1/items/features`, { headers: { authorization: 'Key cli-secret-key-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
    expect((await fetch(`${url}/v1/releases/latest`)).status).toBe(404);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);
    // The default store: models/feature-store.sqlite under the working folder.
    expect(statSync(join(tmp.dir, 'models', 'feature-store.sqlite')).isFile()).toBe(true);
  });

  it('exits 2 naming a bad flag', async () => {
    for (const [args, flag] of [[['--port', 'http'], '--port'], [['--bogus'], '--bogus'], [['--release', join(tmp.dir, 'nope')], '--release'], [['--db'], '--db']] as const) {
      const p = serve([...args]);
      expect(await p.exit, flag).toBe(2);
      expect(p.stderr(), flag).toContain(`ondeck serve: ${flag}:`);
      await p.url.catch(() => {});
    }
  });
});
