// The release the e2e tests serve: a small synthetic video platform (400 users, 500 items,
// 8 categories, impressions with clicks and watch time), written out as a feature-store export
// (events JSON Lines + items CSV) and built by the pipeline's `--dataset events` path, the path
// a real retraining from the store takes. Built into test/e2e/.release-cache/ (git-ignored) and
// reused while src/core and src/pipeline are as they were (sourceStamp): a release kept from an
// older artifact format once stopped every e2e page at its first feed, each test 90 s. Unlike the tiny rating fixture of the browser tests, its models learn taste from
// implicit feedback, so a feed visibly follows what a user watches.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { runBuild } from '../../src/pipeline/build/index.ts';
import { generateSynthetic } from '../../src/pipeline/data/index.ts';
import { createProgress } from '../../src/pipeline/progress/index.ts';
import { sourceStamp } from '../support/fixture-release.ts';
import { TEST_SIGNING_KEY_FILE, ensureSignedBy, testSigningKey } from '../support/release-key.ts';

export const E2E_RELEASE_DIR = resolve('test/e2e/.release-cache');
const SHAPE = { seed: 7, users: 400, items: 500, categories: 8, days: 30 };

const csvCell = (v: string | number | undefined) => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function ensureE2eRelease(): Promise<string> {
  const stamp = sourceStamp();
  const stampFile = join(E2E_RELEASE_DIR, 'source.sha256');
  if (existsSync(join(E2E_RELEASE_DIR, 'manifest.json')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    await ensureSignedBy(E2E_RELEASE_DIR, testSigningKey());
    return E2E_RELEASE_DIR;
  }
  rmSync(E2E_RELEASE_DIR, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), 'ondeck-e2e-release-'));
  try {
    const ds = generateSynthetic(SHAPE);
    const data = join(work, 'data');
    mkdirSync(data);
    const events = ds.interactions.map((x) =>
      JSON.stringify({ install: x.user, item: x.item, type: x.type, at: x.at, ...(x.watchSeconds === undefined ? {} : { watchSeconds: x.watchSeconds }) }),
    );
    writeFileSync(join(data, 'events.jsonl'), events.join('\n') + '\n');
    const rows = ['item_id,title,categories,duration_seconds,created'];
    for (const it of ds.items.values()) {
      rows.push([it.id, it.title, it.categories.join('|'), it.durationSeconds, it.created === undefined ? undefined : new Date(it.created).toISOString()].map(csvCell).join(','));
    }
    writeFileSync(join(data, 'items.csv'), rows.join('\n') + '\n');
    const out = join(work, 'release');
    const quiet = createProgress({ stream: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }), enabled: false });
    await runBuild(
      { dataset: 'events', path: join(data, 'events.jsonl'), items: join(data, 'items.csv'), out, epochs: 3, seed: SHAPE.seed, releaseFrom: 'split', signingKey: TEST_SIGNING_KEY_FILE },
      quiet,
    );
    writeFileSync(join(out, 'source.sha256'), stamp);
    if (!existsSync(join(E2E_RELEASE_DIR, 'manifest.json'))) {
      rmSync(E2E_RELEASE_DIR, { recursive: true, force: true });
      renameSync(out, E2E_RELEASE_DIR);
    }
    return E2E_RELEASE_DIR;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
