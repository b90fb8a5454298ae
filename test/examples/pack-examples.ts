// What the examples suite prepares once per run, in its global setup: `npm pack` of the ondeck
// library (its prepack builds dist/), then, for each folder of examples/, a copy under
// test/examples/.work/ with that tarball installed by npm, offline, and the example built the way
// its README says (Vite, webpack; the plain page needs no build).
//
// The install: `npm install --offline --no-save <tarball>` in the copy, whose package.json has
// its devDependencies (the build tools) left out. ondeck has no dependencies, so the install needs
// nothing but the tarball, and --offline proves it. The build tools are the repository's own
// devDependencies: the copies lie inside the repository, so Node finds them in its node_modules,
// as a monorepo's apps find hoisted tools.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const EXAMPLES = ['vite', 'webpack', 'plain-html'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

const ROOT = resolve(import.meta.dirname, '../..');
export const WORK = resolve(import.meta.dirname, '.work');

export interface PackedExamples {
  tarball: string;
  /** The folder each example is served from (its build output, or the page's folder). */
  served: Record<ExampleName, string>;
  /** Seconds per step, for the record. */
  seconds: Record<string, number>;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

async function timed<T>(seconds: Record<string, number>, step: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    seconds[step] = Math.round((performance.now() - t0) / 100) / 10;
  }
}

/** `npm pack` of packages/ondeck into WORK; returns the tarball's path. */
export async function packLibrary(): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  for (const f of readdirSync(WORK)) if (f.endsWith('.tgz')) rmSync(join(WORK, f));
  const { stdout } = await run(npm, ['pack', '--workspace', 'ondeck', '--pack-destination', WORK, '--json'], { cwd: ROOT, maxBuffer: 16 << 20 });
  // prepack's build may print above npm's JSON.
  const json = stdout.slice(stdout.search(/^\[/m));
  const [info] = JSON.parse(json) as { filename: string }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${stdout}`);
  return join(WORK, info.filename);
}

/** A fresh copy of examples/<name> with the tarball installed (offline, nothing saved). */
export async function installExample(name: ExampleName, tarball: string): Promise<string> {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'examples', name), dir, { recursive: true, filter: (p) => !/[\\/](node_modules|dist)$/.test(p) });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete pkg['devDependencies'];
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  await run(npm, ['install', '--offline', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir });
  if (!existsSync(join(dir, 'node_modules/ondeck/dist/index.js'))) throw new Error(`${name}: npm installed no node_modules/ondeck/dist/index.js`);
  return dir;
}

async function buildVite(dir: string): Promise<string> {
  const { build } = await import('vite');
  // What `vite build` does in the example: no config file there, the defaults.
  await build({ root: dir, logLevel: 'warn', mode: 'production', configFile: false });
  return join(dir, 'dist');
}

async function buildWebpack(dir: string): Promise<string> {
  const { default: webpack } = await import('webpack');
  const { default: config } = (await import(pathToFileURL(join(dir, 'webpack.config.js')).href)) as { default: import('webpack').Configuration };
  await new Promise<void>((resolvePromise, reject) => {
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      if (stats?.hasErrors()) return reject(new Error(`webpack: ${stats.toString({ all: false, errors: true })}`));
      resolvePromise();
    });
  });
  // The page (index.html) loads dist/main.js: served from the example's folder.
  return dir;
}

export async function packExamples(): Promise<PackedExamples> {
  const seconds: Record<string, number> = {};
  const tarball = await timed(seconds, 'npm pack ondeck', packLibrary);
  const installed = await timed(seconds, 'npm install (3 examples, offline)', () =>
    Promise.all(EXAMPLES.map((name) => installExample(name, tarball))),
  );
  const [viteDir, webpackDir, plainDir] = installed as [string, string, string];
  // Both at once: webpack works on this thread, Vite's bundler mostly on threads of its own, so
  // the two cores both work (one after the other left one idle for most of it).
  const [viteOut, webpackOut] = await Promise.all([
    timed(seconds, 'vite build', () => buildVite(viteDir)),
    timed(seconds, 'webpack build', () => buildWebpack(webpackDir)),
  ]);
  return { tarball, served: { vite: viteOut, webpack: webpackOut, 'plain-html': plainDir }, seconds };
}
