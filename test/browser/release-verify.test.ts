// Artifact verification on its own: the known SHA-256 vectors, each kind of mismatch, and what
// hashing costs per MB (it runs on every read from Cache Storage, so the cost matters).
import { describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../../src/core/release/index.ts';
import type { ReleaseIntegrityError } from '../../src/core/release/errors.ts';
import { sha256Hex, verifyArtifact } from '../../workers/release/verify.ts';

const encode = (s: string): ArrayBuffer => new TextEncoder().encode(s).buffer as ArrayBuffer;
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

function ref(bytes: number, sha256: string): ArtifactRef {
  return { name: 'ranker', kind: 'model', url: 'artifacts/x.onnx', bytes, sha256 };
}

async function failure(p: Promise<unknown>): Promise<ReleaseIntegrityError> {
  try {
    await p;
  } catch (err) {
    return err as ReleaseIntegrityError;
  }
  throw new Error('expected a rejection');
}

describe('verifyArtifact', () => {
  it('hashes as FIPS 180-2 says', async () => {
    expect(await sha256Hex(encode('abc'))).toBe(ABC);
    expect(await sha256Hex(new ArrayBuffer(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('accepts the exact bytes', async () => {
    await expect(verifyArtifact(ref(3, ABC), 'https://cdn/x', encode('abc'), 'network')).resolves.toBeUndefined();
  });

  it('refuses a wrong size without hashing, naming the artifact and both sizes', async () => {
    const err = await failure(verifyArtifact(ref(4, ABC), 'https://cdn/x', encode('abc'), 'network'));
    expect(err.name).toBe('ReleaseIntegrityError');
    expect(err.actual).toEqual({ bytes: 3, sha256: null });
    expect(err.message).toBe('artifact "ranker" from the network (https://cdn/x) failed verification: expected 4 bytes, got 3');
  });

  it('refuses a wrong hash, naming both hashes', async () => {
    const err = await failure(verifyArtifact(ref(3, ABC), 'https://cdn/x', encode('abd'), 'cache'));
    expect(err.expected).toEqual({ bytes: 3, sha256: ABC });
    expect(err.actual!.sha256).toBe(await sha256Hex(encode('abd')));
    expect(err.source).toBe('cache');
    expect(err.message).toContain(`expected sha256 ${ABC}, got ${err.actual!.sha256}`);
  });

  it('verifies a 1 MiB artifact and catches one flipped byte in it', async () => {
    // Timing is for the benchmarks (this machine is shared); here only correctness at size.
    const mb = new Uint8Array(1 << 20);
    // getRandomValues fills at most 64 KiB per call.
    for (let off = 0; off < mb.length; off += 65536) crypto.getRandomValues(mb.subarray(off, off + 65536));
    const sha = await sha256Hex(mb.buffer);
    const r = ref(mb.length, sha);
    await verifyArtifact(r, 'https://cdn/x', mb.buffer, 'cache');
    const flipped = mb.slice();
    flipped[777_777] = flipped[777_777]! ^ 1;
    await expect(verifyArtifact(r, 'https://cdn/x', flipped.buffer, 'cache')).rejects.toMatchObject({ name: 'ReleaseIntegrityError' });
  });
});
