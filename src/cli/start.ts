/**
 * `ondeck start` (`npm start`): the demo in one command, on localhost only.
 *
 * 1. models/ holds no release: build the demo release from the synthetic dataset (a small
 *    configuration, a couple of minutes on 2 cores; progress on stderr), signed with the demo's
 *    key, models.signing-key.pem (generated on first use, beside models/, never in it); a release
 *    in models/ not signed by that key is signed again; a release this version cannot serve (an
 *    older artifact format, a damaged file) is refused with what to run, before anything is
 *    served: the page would otherwise stop at its first feed;
 * 2. dist/app is missing or older than its sources (the public key included): build the app
 *    (Vite, programmatically), pinning the demo's public key (VITE_ONDECK_RELEASE_KEY);
 * 3. serve both with the embedded SQLite feature store, and print the demo and dashboard URLs.
 *
 * Takes the flags of `ondeck serve` (--port, --host, --db, --postgres, --rate-*); --release and
 * --app default to models and dist/app.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OndeckError } from '../core/errors.ts';
import { ReleaseIntegrityError } from '../core/release/errors.ts';
import { BUILD_DEFAULTS, runBuild, type BuildOptions } from '../pipeline/build/index.ts';
import {
  defaultSigningKeyFile,
  loadOrCreateSigningKey,
  publicKeyFile,
  signCurrentRelease,
  signingKeyNotice,
  verifyRelease,
  type ReleaseSigningKey,
} from '../pipeline/release/index.ts';
import { createProgress, renderSummaryTable } from '../pipeline/progress/index.ts';
import { headlineRows } from '../pipeline/report/index.ts';
import { SERVE_USAGE, ServeOptionError, parseServeArgs } from '../server/cli/index.ts';
import { runServer } from './run-server.ts';

/** Tunables of `ondeck start`. */
export const START_DEFAULTS = Object.freeze({
  release: 'models',
  app: 'dist/app',
  /**
   * The demo release: the synthetic platform (2,000 users, 3,000 items, 12 categories) with
   * 2 epochs, shipping the evaluated models instead of refitting them on everything (one training
   * pass fewer). Measured: about 2 min 20 s on 2 busy cores; `ondeck build --dataset synthetic`
   * makes the full one.
   */
  build: Object.freeze({ dataset: 'synthetic', epochs: 2, releaseFrom: 'split' }) satisfies Partial<BuildOptions>,
  /** The demo's release signing key (defaultSigningKeyFile of `release`): beside models/, never in it. */
  signingKey: 'models.signing-key.pem',
  /**
   * What the app is built from: a file here newer than the build means a rebuild. The public key
   * is one: the app pins it at build time.
   */
  appSources: ['src/app', 'src/client', 'src/core', 'workers', 'public', 'vite.app.config.ts', 'package.json', 'models.signing-key.pem.pub'],
  /** Written last by the app build (vite.app.config.ts): its time is the build's time. */
  appStamp: 'size.json',
});

export const START_USAGE = `Usage: ondeck start [serve options]

Builds the demo release into models/ if there is none, builds the app into dist/app if it is
missing or older than its sources, then serves both (the demo feed at /, the dashboard at
/dashboard). The options are those of ondeck serve:

${SERVE_USAGE.split('\n').slice(SERVE_USAGE.split('\n').indexOf('Options:')).join('\n')}`;

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const d of readdirSync(path, { withFileTypes: true })) {
    if (d.name === 'node_modules' || d.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, d.name)));
  }
  return newest;
}

/** Why the app needs a build, or null when dist/app is current. */
export function appBuildReason(appDir: string, sources: readonly string[] = START_DEFAULTS.appSources): string | null {
  const stamp = join(appDir, START_DEFAULTS.appStamp);
  if (!existsSync(join(appDir, 'index.html')) || !existsSync(stamp)) return `${appDir} holds no build`;
  const built = statSync(stamp).mtimeMs;
  const changed = sources.find((s) => newestMtime(s) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/**
 * Builds the demo release into `out` (START_DEFAULTS.build), replacing the current one
 * atomically: what `ondeck start` does on a first run, and `ondeck demo-release` (npm run
 * demo-release) does on demand, e.g. after a change to the feature spec or the models.
 */
export async function buildDemoRelease(out: string = START_DEFAULTS.release, why = `${out}/ holds no release`): Promise<void> {
  const key = demoSigningKey(out);
  const options: BuildOptions = { ...START_DEFAULTS.build, out, seed: BUILD_DEFAULTS.seed, signingKey: key.file };
  console.error(
    `ondeck start: ${why}; building the demo release from the synthetic dataset ` +
      `(${options.epochs} epochs; a few minutes on 2 cores)…`,
  );
  const result = await runBuild(options, createProgress());
  for (const w of result.warnings) console.error(`warning: ${w}`);
  console.error(`\n${renderSummaryTable(headlineRows(result.report))}`);
  console.error(
    `ondeck start: release ${result.manifest.releaseId} (${result.verified.items} items) in ${resolve(out)}, ` +
      `built in ${result.report.seconds.total.toFixed(0)} s; report: ${out}/report.md`,
  );
}

/**
 * Reads the release in `dir` as a device would (verifyRelease) and refuses one this version of
 * ondeck cannot serve, naming the artifact and what to run; a folder with no release passes.
 */
export async function checkServableRelease(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'manifest.json'))) return;
  try {
    await verifyRelease(dir);
  } catch (err) {
    if (!(err instanceof ReleaseIntegrityError)) throw err;
    throw new OndeckError(
      `${dir}/ holds a release this version of ondeck cannot serve (${err.message}). ` +
        `Rebuild it: \`npm run demo-release\` for the demo, or \`npx ondeck build ... --out ${dir}\` for your own data`,
      { cause: err },
    );
  }
}

/** The demo's signing key (START_DEFAULTS.signingKey for models/), made on first use with a notice. */
export function demoSigningKey(out: string = START_DEFAULTS.release): { file: string; key: ReleaseSigningKey } {
  const { key, created, file } = loadOrCreateSigningKey(defaultSigningKeyFile(out));
  if (created) console.error(`ondeck start: ${signingKeyNotice(file, key.publicKey, true)}`);
  return { file, key };
}

/** Signs the release in `out` with the demo key unless it already is (a release from before signing). */
export async function signDemoRelease(out: string, key: ReleaseSigningKey): Promise<void> {
  if (await signCurrentRelease(out, key)) console.error(`ondeck start: signed the release in ${resolve(out)} with the demo key (${publicKeyFile(defaultSigningKeyFile(out))})`);
}

async function buildApp(appDir: string, reason: string, releaseKey: string): Promise<void> {
  console.error(`ondeck start: building the app (${reason})…`);
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch (err) {
    throw new OndeckError(`the app needs a build, and Vite is not installed (a dev dependency): run \`npm install\`, then \`npm run build\``, { cause: err });
  }
  // A production build whatever NODE_ENV the shell has (Vite follows it otherwise).
  process.env.NODE_ENV = 'production';
  // The app pins the release key at build time (src/app/defaults.ts).
  process.env.VITE_ONDECK_RELEASE_KEY = releaseKey;
  await vite.build({ configFile: resolve('vite.app.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: resolve(appDir) } });
}

export async function startCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(START_USAGE);
    return 0;
  }
  const has = (flag: string) => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const releaseDir = START_DEFAULTS.release;
  const appDir = START_DEFAULTS.app;
  let args;
  try {
    // Checked before the build: a typo in --port should not cost a training run.
    args = parseServeArgs(argv, process.env);
  } catch (err) {
    if (err instanceof ServeOptionError) {
      console.error(`ondeck start: ${err.message}\n\n${START_USAGE}`);
      return 2;
    }
    throw err;
  }
  try {
    if (!has('--release') && !existsSync(join(releaseDir, 'manifest.json'))) await buildDemoRelease(releaseDir);
    await checkServableRelease(has('--release') ? (args.releaseDir ?? releaseDir) : releaseDir);
    // With --release DIR, DIR's own key (what `ondeck build --out DIR` signed with); it is not re-signed here.
    const { key } = demoSigningKey(has('--release') ? (args.releaseDir ?? releaseDir) : releaseDir);
    if (!has('--release')) await signDemoRelease(releaseDir, key);
    if (!has('--app')) {
      const reason = appBuildReason(appDir);
      if (reason) await buildApp(appDir, reason, key.publicKey);
    }
    args = parseServeArgs([...argv, ...(has('--release') ? [] : ['--release', releaseDir]), ...(has('--app') ? [] : ['--app', appDir])], process.env);
  } catch (err) {
    if (err instanceof OndeckError) {
      console.error(`ondeck start: ${err.message}`);
      return 1;
    }
    throw err;
  }

  return runServer(args, { command: 'start', banner: (url) => `\n  demo feed   ${url}/\n  dashboard   ${url}/dashboard\n\n  Ctrl+C to stop.` });
}
