// The same src/core code must give the same numbers in the page as in Node: this is what makes
// train/serve skew impossible. Node's results come from the global setup (test/support).
import { describe, expect, inject, it } from 'vitest';
import spec from '../fixtures/feature-spec.json' with { type: 'json' };
import { NOW, ROWS } from '../fixtures/feature-rows.ts';
import { buildFeatureTensors, hashString, parseFeatureSpec } from '../../src/core/features/index.ts';

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
