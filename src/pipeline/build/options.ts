/**
 * `ondeck build` options: parsed and checked before any work starts, so a typo costs a second,
 * not a training run.
 */
import { parseArgs } from 'node:util';
import { OndeckError } from '../../core/errors.ts';
import { SYNTHETIC_DEFAULTS, syntheticSessionsPerUser } from '../data/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';

export const DATASETS = ['movielens', 'csv', 'synthetic', 'events'] as const;
export type DatasetName = (typeof DATASETS)[number];

export class BuildOptionError extends OndeckError {
  override name = 'BuildOptionError';
}

export interface BuildOptions {
  dataset: DatasetName;
  /** movielens: the folder; csv: the interactions file; events: the JSON Lines export. */
  path?: string;
  /** csv and events: the items file. */
  items?: string;
  out: string;
  epochs: number;
  seed: number;
  /** Refit the release models on all interactions (default), or ship the protocol-(1) models. */
  releaseFrom: 'all' | 'split';
  /**
   * The Ed25519 key file (PKCS#8 PEM) the manifest is signed with; it must exist. Default
   * defaultSigningKeyFile(out), beside the release folder, generated on first use.
   */
  signingKey?: string;
  /** 1 or 2 (default BUILD_DEFAULTS.threads): 2 runs the global protocol and the refit on threads of their own. */
  threads?: number;
  /** synthetic: the platform's size; unset parts keep the demo's (SYNTHETIC_DEFAULTS). */
  synthetic?: SyntheticSize;
}

export interface SyntheticSize {
  users?: number;
  items?: number;
  /** About this many interactions (sets the sessions per user; see generateSynthetic). */
  interactions?: number;
}

/** Users per interaction when only --interactions is given: the demo's density (2,000 per ~164k). */
export const SYNTHETIC_USERS_PER_INTERACTION = 0.012;

export const BUILD_USAGE = `Usage: ondeck build --dataset <${DATASETS.join('|')}> [options]

  --dataset NAME     movielens (MovieLens-100K folder), csv (your interactions CSV),
                     synthetic (a simulated video platform), events (the feature store export)
  --path P           movielens: the ml-100k folder; csv: interactions CSV; events: .jsonl file
  --items P          csv/events: items CSV (item_id, title, categories, duration_seconds, created);
                     synthetic: the number of items
  --out DIR          where the release goes (default ${BUILD_DEFAULTS.out})
  --epochs N         training epochs of each model (default ${BUILD_DEFAULTS.epochs})
  --seed S           seed of everything random (default ${BUILD_DEFAULTS.seed}); same seed, same data -> same metrics
  --release-from all|split
                     refit the shipped models on all interactions (default) or ship the evaluated ones
  --users N, --items N, --interactions N
                     synthetic: the platform's size (default ${SYNTHETIC_DEFAULTS.users} users, ${SYNTHETIC_DEFAULTS.items} items, ~164k interactions);
                     --interactions alone scales the users with it (${SYNTHETIC_USERS_PER_INTERACTION * 1e6} per million)
  --threads N        1 or 2 (default ${BUILD_DEFAULTS.threads}, this machine's cores up to 2): 2 runs the global
                     protocol and the refit on threads of their own beside the rest; the figures are the same
  --signing-key FILE the Ed25519 private key (PKCS#8 PEM) the manifest is signed with; default
                     $ONDECK_SIGNING_KEY, else <out>.signing-key.pem beside the release folder,
                     generated on first use (never inside it: that folder is published)`;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BuildOptionError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

function countOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  // Digits only (1000000 or 1_000_000); "1e6" and "10k" are refused, not guessed.
  const n = /^[0-9][0-9_]*$/.test(value) ? Number(value.replaceAll('_', '')) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new BuildOptionError(`${flag} must be a whole number >= 1 (digits, e.g. 1000000), got "${value}"`);
  return n;
}

/** --users/--items/--interactions: synthetic only, checked here so a bad size fails before any work. */
function syntheticSize(v: { users?: string | undefined; items?: string | undefined; interactions?: string | undefined }, name: DatasetName): SyntheticSize | undefined {
  const users = countOption(v.users, '--users');
  const items = name === 'synthetic' ? countOption(v.items, '--items') : undefined;
  const interactions = countOption(v.interactions, '--interactions');
  if (users === undefined && items === undefined && interactions === undefined) return undefined;
  if (name !== 'synthetic') {
    const flag = users !== undefined ? '--users' : items !== undefined ? '--items' : '--interactions';
    throw new BuildOptionError(`${flag} is for --dataset synthetic, not ${name}`);
  }
  const size: SyntheticSize = {};
  if (items !== undefined) size.items = items;
  if (interactions !== undefined) {
    size.users = users ?? Math.max(1, Math.round(interactions * SYNTHETIC_USERS_PER_INTERACTION));
    size.interactions = interactions;
    // The generator's own check (sessions per user in range), as a build option error.
    try {
      syntheticSessionsPerUser(interactions, size.users);
    } catch (err) {
      throw new BuildOptionError(`--interactions: ${(err as Error).message.replace(/^interactions: /, '')}`, { cause: err });
    }
  } else if (users !== undefined) size.users = users;
  return size;
}

export function parseBuildArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): BuildOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        dataset: { type: 'string' },
        path: { type: 'string' },
        items: { type: 'string' },
        out: { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        'release-from': { type: 'string' },
        'signing-key': { type: 'string' },
        threads: { type: 'string' },
        users: { type: 'string' },
        interactions: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new BuildOptionError(`${(err as Error).message.split('\n')[0]}\n\n${BUILD_USAGE}`, { cause: err });
  }
  const v = parsed.values;
  const dataset = v.dataset;
  if (dataset === undefined) throw new BuildOptionError(`--dataset is required\n\n${BUILD_USAGE}`);
  if (!(DATASETS as readonly string[]).includes(dataset)) {
    throw new BuildOptionError(`--dataset "${dataset}" is not one of ${DATASETS.join(', ')}`);
  }
  const name = dataset as DatasetName;
  if ((name === 'csv' || name === 'events') && v.path === undefined) {
    throw new BuildOptionError(`--dataset ${name} needs --path (the ${name === 'csv' ? 'interactions CSV' : 'events .jsonl export'})`);
  }
  if (v.items !== undefined && name !== 'csv' && name !== 'events' && name !== 'synthetic') {
    throw new BuildOptionError(`--items is for --dataset csv, events or synthetic, not ${name}`);
  }
  const releaseFrom = v['release-from'] ?? 'all';
  if (releaseFrom !== 'all' && releaseFrom !== 'split') {
    throw new BuildOptionError(`--release-from must be "all" or "split", got "${releaseFrom}"`);
  }
  const epochs = positiveInt(v.epochs, '--epochs', BUILD_DEFAULTS.epochs);
  if (epochs === 0) throw new BuildOptionError('--epochs must be at least 1');
  const options: BuildOptions = {
    dataset: name,
    out: v.out ?? BUILD_DEFAULTS.out,
    epochs,
    seed: positiveInt(v.seed, '--seed', BUILD_DEFAULTS.seed),
    releaseFrom,
  };
  if (v.threads !== undefined) {
    if (v.threads !== '1' && v.threads !== '2') throw new BuildOptionError(`--threads must be 1 or 2, got "${v.threads}"`);
    options.threads = Number(v.threads);
  }
  const synthetic = syntheticSize(v, name);
  if (synthetic !== undefined) options.synthetic = synthetic;
  if (v.path !== undefined) options.path = v.path;
  if (v.items !== undefined && name !== 'synthetic') options.items = v.items;
  const signingKey = v['signing-key'] ?? (env.ONDECK_SIGNING_KEY || undefined);
  if (signingKey !== undefined) options.signingKey = signingKey;
  return options;
}
