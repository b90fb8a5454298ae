// A tiny but real release folder for the drift tests: real shards written by the pipeline's
// writeRelease from a handful of items, with a `categories` feature so the shards carry the
// category column the way `ondeck build` writes it.
import spec from '../fixtures/feature-spec.json' with { type: 'json' };
import type { FeatureSpecInput } from '../../src/core/features/index.ts';
import { createRng, type Item } from '../../src/pipeline/data/index.ts';
import { defaultItemColumns, writeRelease, type WriteReleaseResult } from '../../src/pipeline/release/index.ts';
import type { DriftBaselineInput } from '../../src/pipeline/release/drift-baseline.ts';
import type { ItemColumn } from '../../src/pipeline/release/item-columns.ts';

export const DRIFT_CATEGORIES = ['news', 'music', 'sports', 'comedy', 'gaming'];
const DIM = 4;

export function specWithCategories(maxLength: number): FeatureSpecInput {
  const s = structuredClone(spec) as FeatureSpecInput & { features: unknown[] };
  s.features.push({ name: 'categories', kind: 'multi-categorical', source: 'item.categories', vocab: DRIFT_CATEGORIES, maxLength });
  return s;
}

export async function writeDriftRelease(o: {
  outDir: string;
  items: readonly Item[];
  driftBaseline?: DriftBaselineInput | null;
  maxCategories?: number;
  releaseId?: string;
  /** Signs the manifest (release-signing.test.ts); unsigned by default. */
  signingKey?: import('../../src/pipeline/release/index.ts').ReleaseSigningKey;
  sequence?: number;
}): Promise<WriteReleaseResult & { columns: ItemColumn[] }> {
  const rng = createRng(5);
  const maxCategories = o.maxCategories ?? 3;
  const popularity = Float32Array.from(o.items, (_, i) => o.items.length - i);
  const { columns, meta } = defaultItemColumns({ items: o.items, popularity, categories: DRIFT_CATEGORIES, maxCategories });
  const written = await writeRelease({
    outDir: o.outDir,
    ...(o.releaseId === undefined ? {} : { releaseId: o.releaseId }),
    created: '2024-05-01T00:00:00Z',
    featureSpec: specWithCategories(maxCategories),
    embeddingDim: DIM,
    items: o.items.map((it) => ({ id: it.id, embedding: Float32Array.from({ length: DIM }, () => rng.normal()) })),
    columns,
    meta,
    popularity,
    models: {
      ranker: {
        bytes: new TextEncoder().encode('a stand-in model: drift reads shards only'),
        inputs: [{ name: 'item_id', tensor: 'item_id' }],
        outputs: { pClick: 'p_click' },
      },
    },
    seed: 1,
    golden: false,
    ...(o.driftBaseline === undefined ? {} : { driftBaseline: o.driftBaseline }),
    ...(o.signingKey === undefined ? {} : { signingKey: o.signingKey }),
    ...(o.sequence === undefined ? {} : { sequence: o.sequence }),
  });
  return { ...written, columns };
}
