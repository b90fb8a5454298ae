// The release models refitted on a worker thread are the models refitted inline: same weights,
// same item vectors, bit for bit (the build runs the refit beside the two protocols).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadDataset } from '../../../src/pipeline/build/load.ts';
import { runRefit, startRefit } from '../../../src/pipeline/build/refit.ts';
import type { BuildOptions } from '../../../src/pipeline/build/index.ts';
import { createProgress } from '../../../src/pipeline/progress/index.ts';
import { writeTasteCsv } from '../../support/taste-csv.ts';

const quiet = () => createProgress({ stream: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }), enabled: false });

describe('the refit on its own thread', () => {
  it('ships the models an inline refit ships', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ondeck-refit-'));
    const csv = writeTasteCsv(join(dir, 'data'), { users: 120, items: 150 });
    const options: BuildOptions = { dataset: 'csv', path: csv.interactions, items: csv.items, out: join(dir, 'out'), epochs: 2, seed: 3, releaseFrom: 'all' };
    const [threaded, inline] = [await startRefit(options, quiet()), await runRefit(loadDataset(options), options, quiet())];
    expect(threaded.itemVectors.length).toBe(150 * threaded.dim);
    expect(threaded.itemVectors).toEqual(inline.itemVectors);
    expect(threaded.dcn).toEqual(inline.dcn);
    expect(threaded.twoTower).toEqual(inline.twoTower);
    expect(threaded.plan).toEqual(inline.plan);
    expect({ ...threaded.retrieval, epochs: threaded.dcnEpochs, watch: threaded.hasWatch }).toEqual({ ...inline.retrieval, epochs: inline.dcnEpochs, watch: inline.hasWatch });
  }, 120_000);
});
