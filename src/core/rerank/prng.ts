/**
 * mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). Written out so the exploration picks are
 * the same on every engine and device for a given seed (Math.random cannot be seeded); its
 * statistical quality is ample for choosing a few feed slots.
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
