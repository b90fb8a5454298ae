// The same src/core code must give the same numbers in the page as in Node: this is what makes
// train/serve skew impossible. Node's results come from the global setup (test/support).
import { describe, expect, inject, it } from 'vitest';
import spec from '../fixtures/feature-spec.json' with { type: 'json' };
import { NOW, ROWS } from '../fixtures/feature-rows.ts';
import { buildFeatureTensors, parseFeatureSpec } from '../../src/core/features/index.ts';
import { hashString } from '../../src/core/features/hash.ts';
import { decodeShard, encodeShard, scoreShard } from '../../src/core/shard/index.ts';
import { FIXTURE_QUERY, fixtureShardInput } from '../fixtures/shard-input.ts';

describe('core parity, browser vs Node', () => {
  const reference = inject('nodeReference');

  it('builds identical feature tensors', () => {
    const t = buildFeatureTensors(parseFeatureSpec(spec), ROWS, { now: NOW });
    expect(Object.keys(t)).toEqual(Object.keys(reference.tensors));
    for (const [name, values] of Object.entries(reference.tensors)) {
      expect(Array.from(t[name]!.data), name).toEqual(values);
    }
  });

  it('hashes ids identically', () => {
    for (const [s, h] of Object.entries(reference.hashes)) expect(hashString(s, 3), s).toBe(h);
  });
});

describe('shard codec parity, browser vs Node', () => {
  const reference = inject('nodeReference');
  const nodeBytes = Uint8Array.from(atob(reference.shardBase64), (c) => c.charCodeAt(0));

  it('encodes byte for byte what Node encodes', () => {
    const bytes = encodeShard(fixtureShardInput());
    expect(bytes.length).toBe(nodeBytes.length);
    expect(bytes).toEqual(nodeBytes);
  });

  it("decodes Node's shard without copying and scores it identically", () => {
    const shard = decodeShard(nodeBytes);
    expect(shard.embeddings.buffer).toBe(nodeBytes.buffer);
    expect(shard.quantization).toBe('int8-residual');
    expect(shard.id(7)).toBe('item-7-é');
    expect(shard.meta('title', 49)).toBe('Vidéo ☃ 49');
    expect(Array.from(scoreShard(FIXTURE_QUERY, shard))).toEqual(reference.shardScores);
  });

  it('rejects a corrupted shard with a named error', () => {
    const bad = nodeBytes.slice();
    bad[100] = bad[100]! ^ 0x10;
    expect(() => decodeShard(bad)).toThrow(expect.objectContaining({ name: 'ShardFormatError' }));
  });
});
