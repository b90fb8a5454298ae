/**
 * How the DCN's training rate depends on its embedding tables' rows (issue 17.2, part 3): the
 * same rows, model and steps with an item-id table sized for `--items` items (the build's spec:
 * FEATURE_DEFAULTS.hashBucketsPerItem buckets per item; the history pools the same table), one
 * epoch, its CPU profile grouped into reads of backend data (the tables, mostly), x0's writing,
 * the tables' dense gradients, Adam, data preparation and the rest of forward and backward.
 *
 *   tsx test/bench/dcn-table-size.ts --items 50000 [--rows 8192] [--profile FILE] [--lazy-table-rows N]
 *
 * `--lazy-table-rows` sets the table size from which training uses lazy Adam (FIT_DEFAULTS'
 * lazyTableRows by default; a number above the table's rows times dense Adam, as before).
 *
 * Prints one JSON line last (`DCN {...}`): rows per second, CPU seconds and the profile's split.
 */
import { startCpuProfile, type CpuProfile } from './cpu-profile.ts';
import { buildFeatureTensors, parseFeatureSpec, type FeatureRow } from '../../src/core/features/index.ts';
import { FEATURE_DEFAULTS } from '../../src/pipeline/features/defaults.ts';
import { initDcn, trainDcn } from '../../src/pipeline/train/index.ts';
import { createRandom } from '../../src/pipeline/train/random.ts';

const arg = (name: string, fallback?: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const items = Number(arg('items', '50000'));
const n = Number(arg('rows', '8192'));
const profile = arg('profile');
const lazyTableRows = arg('lazy-table-rows');
const NOW = Date.UTC(2024, 5, 1);
const CATS = Array.from({ length: 20 }, (_, i) => `c${i}`);
const spec = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'item_id', kind: 'categorical', source: 'item.id', hashBuckets: items * FEATURE_DEFAULTS.hashBucketsPerItem },
    { name: 'category', kind: 'categorical', source: 'item.category', vocab: CATS },
    { name: 'duration', kind: 'numeric', source: 'item.durationSeconds', normalize: { type: 'minmax', min: 0, max: 600 } },
    { name: 'history', kind: 'history', source: 'user.history', item: 'item_id', maxLength: 50, pooling: 'mean' },
  ],
});
const r = createRandom(1);
const rows: FeatureRow[] = [];
const clicks = new Float32Array(n);
for (let i = 0; i < n; i++) {
  const category = r.int(CATS.length);
  clicks[i] = r.next() < 0.1 ? 1 : 0;
  rows.push({
    user: { history: Array.from({ length: 1 + r.int(50) }, (_, k) => ({ item: { id: `v${r.int(items)}` }, type: 'click' as const, at: NOW - k * 3_600_000 })) },
    item: { id: `v${r.int(items)}`, category: CATS[category], durationSeconds: 30 + r.next() * 570 },
  });
}
const inputs = buildFeatureTensors(spec, rows, { now: NOW });
const model = await initDcn({ spec, watchHead: false }, 7);

const stopProfile = await startCpuProfile(profile);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await trainDcn(model, { inputs, clicks }, { epochs: 1, seed: 3, ...(lazyTableRows === undefined ? {} : { lazyTableRows: Number(lazyTableRows) }) });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const p = await stopProfile();
const split: Record<string, number> | null = p ? groupProfile(p) : null;
console.log(`DCN ${JSON.stringify({ items, tableRows: items * FEATURE_DEFAULTS.hashBucketsPerItem, lazyTableRows: lazyTableRows ?? 'default', rows: n, seconds, rowsPerSecond: n / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, split })}`);


/**
 * Seconds by what each sample's stack is in: GC; Adam (AdamOptimizer.applyGradients, and the
 * lazy tables' own step in lazy-adam.ts); the
 * tables' dense gradients (embed-x0.ts under backpropagation: reading dx0 into a zeroed table-sized
 * array, summing, uploading); the tables' reads out of the backend (readSync under embed-x0.ts's
 * forward); the rest of embed-x0.ts's forward (writing x0); the rest of backpropagation; data
 * preparation (slicing rows, input tensors); else the rest of the forward pass and the loss.
 */
function groupProfile(p: CpuProfile): Record<string, number> {
  const parent = new Map<number, number>();
  const byId = new Map(p.nodes.map((x) => [x.id, x] as const));
  for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
  const out: Record<string, number> = { gc: 0, adam: 0, tableGradient: 0, tableRead: 0, x0Write: 0, backwardOther: 0, dataPreparation: 0, forwardOther: 0, idle: 0 };
  p.samples.forEach((leaf, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1e6;
    const names = new Set<string>();
    let inEmbed = false;
    let inLazyAdam = false;
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      names.add(f.functionName);
      if (f.url.includes('embed-x0')) inEmbed = true;
      if (f.url.includes('lazy-adam') && f.functionName === 'step') inLazyAdam = true;
    }
    const key = names.has('(garbage collector)')
      ? 'gc'
      : names.has('(idle)') || names.has('(program)')
        ? 'idle'
        : names.has('AdamOptimizer.applyGradients') || inLazyAdam
          ? 'adam'
          : inEmbed && names.has('backpropagateGradients')
            ? 'tableGradient'
            : inEmbed && (names.has('BackendWasm.readSync') || names.has('tableValues'))
              ? 'tableRead'
              : inEmbed
                ? 'x0Write'
                : names.has('backpropagateGradients')
                  ? 'backwardOther'
                  : [...names].some((n) => /sliceRows|selectRows|toTfInputs|checkFeatureTensors/.test(n))
                    ? 'dataPreparation'
                    : 'forwardOther';
    out[key]! += dt;
  });
  return out;
}
