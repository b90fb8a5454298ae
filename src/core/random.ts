/**
 * mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). Written out, not Math.random (which cannot
 * be seeded), so a seed gives the same stream on every engine and device: the re-ranker's
 * exploration picks, the synthetic data and the trainer's initialisation all draw from it.
 * Callers that want nearby seeds far apart scramble the seed first.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
