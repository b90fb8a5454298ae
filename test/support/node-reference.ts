// What Node computes for the shared fixtures; the browser tests must reproduce it exactly.
import spec from '../fixtures/feature-spec.json' with { type: 'json' };
import { NOW, ROWS } from '../fixtures/feature-rows.ts';
import { buildFeatureTensors, parseFeatureSpec } from '../../src/core/features/index.ts';
import { hashString } from '../../src/core/features/hash.ts';
import { decodeShard, encodeShard, scoreShard } from '../../src/core/shard/index.ts';
import { FIXTURE_QUERY, fixtureShardInput } from '../fixtures/shard-input.ts';

export interface NodeReference {
  /** tensor name -> values (plain arrays survive the trip to the page). */
  tensors: Record<string, number[]>;
  hashes: Record<string, number>;
  /** The fixture shard as Node encodes it (base64), and its scores for FIXTURE_QUERY. */
  shardBase64: string;
  shardScores: number[];
}

export const HASHED_STRINGS = ['', 'a', 'item-42', 'vidéo-☃-3', '😀', 'ẞtraße'];

export function nodeReference(): NodeReference {
  const t = buildFeatureTensors(parseFeatureSpec(spec), ROWS, { now: NOW });
  const shard = encodeShard(fixtureShardInput());
  return {
    tensors: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Array.from(v.data)])),
    hashes: Object.fromEntries(HASHED_STRINGS.map((s) => [s, hashString(s, 3)])),
    shardBase64: Buffer.from(shard).toString('base64'),
    shardScores: Array.from(scoreShard(FIXTURE_QUERY, decodeShard(shard))),
  };
}

declare module 'vitest' {
  interface ProvidedContext {
    nodeReference: NodeReference;
    isolated: boolean;
    /** URL (on the test server) of the fixture release's manifest. */
    fixtureRelease: string;
    /** The pipeline's scores for a fixed history on the fixture release (device-reference.ts). */
    deviceReference: import('./device-reference.ts').DeviceReference;
    /** URL of a 6k-item release with many IVF clusters (bench-release.ts). */
    clusterRelease: string;
    /** URL of the demo release in models/ (demo-release.ts). */
    demoRelease: string;
    /** URL of a release whose models read every feature kind (wide-release.ts). */
    wideRelease: string;
    /** URL of a release `ondeck release` made from foreign ONNX models and .npy embeddings (imported-release.ts). */
    importedRelease: string;
    /** The public key (base64) every test release is signed with: what the tests pin as `releaseKey` (release-key.ts). */
    releaseKey: string;
    /** The test releases' private key, PKCS#8 DER in base64, for tests that sign forged manifests (release-key.ts). */
    releaseSigningKey: string;
    /** The public key the demo release in models/ is signed with (models.signing-key.pem.pub). */
    demoReleaseKey: string;
    /** URLs of the feed benchmark's releases by catalogue size ('10k', '100k', '1m'; bench-setup.ts). */
    benchReleases: Record<string, string>;
    /** `npm run bench -- --quick`: fewer runs. */
    benchQuick: boolean;
    /** URL of the 100k-item benchmark release (bench-setup.ts; the bench-browser project only). */
    benchRelease: string;
    /** The real ondeck server of the sync tests (browser-setup.ts, sync-server.ts): any origin may call it. */
    syncServer: { url: string; secret: string; appKey: string };
  }
}
