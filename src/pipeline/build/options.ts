/**
 * `ondeck build` options: parsed and checked before any work starts, so a typo costs a second,
 * not a training run.
 */
import { parseArgs } from 'node:util';
import { OndeckError } from '../../core/errors.ts';
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
  /** 1 or 2 (default BUILD_DEFAULTS.threads): 2 runs the global protocol on a second thread. */
  threads?: number;
}

export const BUILD_USAGE = `Usage: ondeck build --dataset <${DATASETS.join('|')}> [options]

  --dataset NAME     movielens (MovieLens-100K folder), csv (your interactions CSV),
                     synthetic (a simulated video platform), events (the feature store export)
  --path P           movielens: the ml-100k folder; csv: interactions CSV; events: .jsonl file
  --items P          csv/events: items CSV (item_id, title, categories, duration_seconds, created)
  --out DIR          where the release goes (default ${BUILD_DEFAULTS.out})
  --epochs N         training epochs of each model (default ${BUILD_DEFAULTS.epochs})
  --seed S           seed of everything random (default ${BUILD_DEFAULTS.seed}); same seed, same data -> same metrics
  --release-from all|split
                     refit the shipped models on all interactions (default) or ship the evaluated ones
  --threads N        1 or 2 (default ${BUILD_DEFAULTS.threads}, this machine's cores up to 2): 2 evaluates the
                     global protocol on a second thread beside the rest; the figures are the same
  --signing-key FILE the Ed25519 private key (PKCS#8 PEM) the manifest is signed with; default
                     $ONDECK_SIGNING_KEY, else <out>.signing-key.pem beside the release folder,
                     generated on first use (never inside it: that folder is published)`;

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new BuildOptionError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
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
  if (v.items !== undefined && name !== 'csv' && name !== 'events') {
    throw new BuildOptionError(`--items is for --dataset csv or events, not ${name}`);
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
  if (v.path !== undefined) options.path = v.path;
  if (v.items !== undefined) options.items = v.items;
  const signingKey = v['signing-key'] ?? (env.ONDECK_SIGNING_KEY || undefined);
  if (signingKey !== undefined) options.signingKey = signingKey;
  return options;
}
