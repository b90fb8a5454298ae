/** `ondeck release` options: parsed and checked before any file is read. */
import { parseArgs } from 'node:util';
import { SIGNING_KEY_ENV } from '../release/index.ts';
import type { OutputRole } from './contract.ts';
import { IMPORT_DEFAULTS } from './defaults.ts';
import { ReleaseOptionError } from './errors.ts';
import type { ImportReleaseOptions } from './import-release.ts';

const OUTPUT_ROLES: readonly OutputRole[] = ['pClick', 'watchFraction', 'userVector'];

export const RELEASE_USAGE = `Usage: ondeck release --embeddings E.npy --items I.csv --features F.json --ranker R.onnx --out DIR [options]

Packages models and item embeddings trained elsewhere into a signed release, after checking
them against the feature spec and what every device runtime (WebGPU, WASM, plain JS) runs.

  --embeddings FILE  item embeddings: .npy, float32 (or float64) [items × d], C order
  --items FILE       items CSV, one data line per embedding row: item_id, and optional title,
                     categories ('|'-separated), duration_seconds, created, popularity
  --features FILE    the feature spec (JSON) the models were trained with
  --ranker FILE      ONNX ranker: outputs p_click [batch, 1] (and optional watch_fraction)
  --user-tower FILE  ONNX user tower: outputs user_vector [batch, d]; without it the device
                     retrieves with the head shard's popularity only
  --out DIR          the release folder (manifest.json, artifacts/, releases/)
  --bind INPUT=TENSOR   feed graph input INPUT with feature tensor TENSOR (repeatable); inputs
                     named after their tensor (or history__ids for history:ids) need none
  --output ROLE=NAME graph output NAME fills ROLE (pClick, watchFraction, userVector; repeatable)
  --signing-key FILE Ed25519 private key (PKCS#8 PEM); default $${SIGNING_KEY_ENV}, else
                     <out>.signing-key.pem beside the release folder, generated on first use
  --seed S           k-means seed (default ${IMPORT_DEFAULTS.seed})
  --clusters K       IVF clusters (default: from the item count)
  --release-id ID    default r-<time>-<content hash>
  --created ISO      the release's time (default now)`;

export function parseReleaseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ImportReleaseOptions {
  let v: Record<string, string | string[] | boolean | undefined>;
  try {
    v = parseArgs({
      args: [...argv],
      options: {
        embeddings: { type: 'string' },
        items: { type: 'string' },
        features: { type: 'string' },
        ranker: { type: 'string' },
        'user-tower': { type: 'string' },
        out: { type: 'string' },
        bind: { type: 'string', multiple: true },
        output: { type: 'string', multiple: true },
        'signing-key': { type: 'string' },
        seed: { type: 'string' },
        clusters: { type: 'string' },
        'release-id': { type: 'string' },
        created: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new ReleaseOptionError((err as Error).message, { cause: err });
  }
  const need = (flag: string): string => {
    const x = v[flag];
    if (typeof x !== 'string' || x === '') throw new ReleaseOptionError(`--${flag} is required`);
    return x;
  };
  const o: ImportReleaseOptions = {
    embeddings: need('embeddings'),
    items: need('items'),
    features: need('features'),
    ranker: need('ranker'),
    out: need('out'),
  };
  if (typeof v['user-tower'] === 'string') o.userTower = v['user-tower'];
  const pairs = (flag: string) =>
    ((v[flag] as string[] | undefined) ?? []).map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0 || eq === p.length - 1) throw new ReleaseOptionError(`--${flag} ${p}: expected NAME=VALUE`);
      return [p.slice(0, eq), p.slice(eq + 1)] as const;
    });
  const bind = pairs('bind');
  if (bind.length > 0) o.bind = Object.fromEntries(bind);
  const outputs = pairs('output');
  for (const [role] of outputs) {
    if (!OUTPUT_ROLES.includes(role as OutputRole)) throw new ReleaseOptionError(`--output ${role}=...: the role must be one of ${OUTPUT_ROLES.join(', ')}`);
  }
  if (outputs.length > 0) o.outputs = Object.fromEntries(outputs);
  const key = (v['signing-key'] as string | undefined) ?? (env[SIGNING_KEY_ENV] || undefined);
  if (key !== undefined) o.signingKey = key;
  const int = (flag: string, min: number) => {
    const x = v[flag];
    if (x === undefined) return undefined;
    const n = Number(x);
    if (!Number.isSafeInteger(n) || n < min) throw new ReleaseOptionError(`--${flag} must be an integer ≥ ${min}, got "${String(x)}"`);
    return n;
  };
  const seed = int('seed', 0);
  if (seed !== undefined) o.seed = seed;
  const clusters = int('clusters', 1);
  if (clusters !== undefined) o.clusters = clusters;
  if (typeof v['release-id'] === 'string') o.releaseId = v['release-id'];
  if (typeof v.created === 'string') o.created = v.created;
  return o;
}
