import { describe, expect, it } from 'vitest';
import { validManifest } from '../../fixtures/manifest.ts';
import { parseManifest, shardArtifacts } from '../../../src/core/release/index.ts';
import { ValidationError } from '../../../src/core/errors.ts';

type M = ReturnType<typeof validManifest>;

describe('release manifest', () => {
  it('accepts a valid manifest and fills defaults', () => {
    const m = parseManifest(validManifest());
    expect(m.releaseId).toBe('r-2026-11-22.1');
    expect(m.featureSpec.features).toHaveLength(11);
    expect(m.featureSpec.hashSeed).toBe(7);
    const { head, clusters } = shardArtifacts(m);
    expect(head.name).toBe('head');
    expect(clusters.map((c) => c.cluster)).toEqual([0, 1]);
    // A step table beside the sequence feature that reads it.
    const seq = validManifest();
    (seq.featureSpec.features as unknown[]).push({ name: 'seq', kind: 'numeric', source: 'context.historySequenceScore' });
    seq.artifacts.push({ ...seq.artifacts[3]!, name: 'steps', kind: 'steps' } as never);
    expect(parseManifest(seq).artifacts.filter((a) => a.kind === 'steps').map((a) => a.name)).toEqual(['steps']);
    const { clusters: _c, ...withoutClusters } = validManifest();
    // No cluster count means no IVF clusters: then only a head shard is allowed.
    expect(() => parseManifest(withoutClusters)).toThrow(/artifacts\[1\]\.cluster: cluster 0 is out of range: the release has 0 clusters/);
  });

  const cases: [string, (m: M) => unknown, string, RegExp][] = [
    ['not an object', () => 'manifest', '', /Invalid type/],
    ['wrong format', (m) => ({ ...m, format: 'other' }), 'format', /must be "ondeck-release"/],
    ['newer version', (m) => ({ ...m, formatVersion: 3 }), 'formatVersion', /must be 1 or 2 \(the versions this runtime reads\)/],
    ['missing release id', (m) => ({ ...m, releaseId: undefined }), 'releaseId', /Invalid type/],
    ['release id with spaces', (m) => ({ ...m, releaseId: 'my release' }), 'releaseId', /letters, digits/],
    ['bad created', (m) => ({ ...m, created: 'yesterday' }), 'created', /ISO 8601/],
    ['no artifacts', (m) => ({ ...m, artifacts: [] }), 'artifacts', /at least one artifact/],
    ['short sha', (m) => (m.artifacts[2]!.sha256 = 'abc', m), 'artifacts[2].sha256', /64 lowercase hex/],
    ['uppercase sha', (m) => (m.artifacts[0]!.sha256 = 'A'.repeat(64), m), 'artifacts[0].sha256', /64 lowercase hex/],
    ['zero bytes', (m) => (m.artifacts[1]!.bytes = 0, m), 'artifacts[1].bytes', /≥ 1/],
    ['fractional bytes', (m) => (m.artifacts[1]!.bytes = 10.5, m), 'artifacts[1].bytes', /integer/],
    ['unknown kind', (m) => ((m.artifacts[3] as { kind: string }).kind = 'weights', m), 'artifacts[3].kind', /shard, model, centroids, report/],
    ['javascript url', (m) => (m.artifacts[3]!.url = 'javascript:alert(1)', m), 'artifacts[3].url', /relative path or an http\(s\) URL/],
    ['url with spaces', (m) => (m.artifacts[3]!.url = 'a b.onnx', m), 'artifacts[3].url', /whitespace/],
    ['duplicate names', (m) => (m.artifacts[1]!.name = 'head', m), 'artifacts[1].name', /duplicate artifact name "head"/],
    ['shard without cluster', (m) => (delete (m.artifacts[1] as { cluster?: number }).cluster, m), 'artifacts[1].cluster', /needs a cluster/],
    ['no head shard', (m) => (m.artifacts[0]!.cluster = 1, m), 'artifacts', /no head shard/],
    ['ranker points at a shard', (m) => (m.models.ranker.artifact = 'head', m), 'models.ranker.artifact', /not an artifact of kind "model"/],
    ['ranker input not in spec', (m) => (m.models.ranker.inputs[1]!.tensor = 'watch_time', m), 'models.ranker.inputs[1].tensor', /"watch_time" is not a tensor of the feature spec; it has item_id, category/],
    ['ranker without pClick', (m) => ((m.models.ranker.outputs as Record<string, string>) = { watchFraction: 'w' }, m), 'models.ranker.outputs.pClick', /click-probability/],
    [
      'a sequence feature without a step table',
      (m) => ((m.featureSpec.features as unknown[]).push({ name: 'seq', kind: 'numeric', source: 'context.historySequenceScore' }), m),
      'artifacts',
      /reads context.historySequenceScore, but no artifact of kind "steps"/,
    ],
    [
      'two step tables',
      (m) => (m.artifacts.push({ ...m.artifacts[3]!, name: 's1', kind: 'steps' } as never, { ...m.artifacts[3]!, name: 's2', kind: 'steps' } as never), m),
      'artifacts',
      /2 artifacts of kind "steps"/,
    ],
    ['bad feature spec', (m) => ((m.featureSpec.features[4] as { boundaries: number[] }).boundaries = [3, 2], m), 'featureSpec.features[4].boundaries[1]', /strictly ascending/],
  ];

  it.each(cases)('rejects %s, naming the field', (_label, mutate, field, message) => {
    let err: unknown;
    try {
      parseManifest(mutate(validManifest()));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).name).toBe('ValidationError');
    expect((err as ValidationError).field).toBe(field);
    expect((err as ValidationError).message).toMatch(message);
  });
});
