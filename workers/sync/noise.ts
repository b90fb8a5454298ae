/**
 * Local differential privacy for aggregate counters (wire.ts, WireCounts): two-sided geometric
 * noise (the discrete Laplace distribution, P(k) ∝ exp(-epsilon·|k|)) for counts, and Laplace
 * noise for the real-valued sums. Both have mean zero, so sums over many devices stay unbiased,
 * while no single device's counters reveal whether one event happened.
 *
 * The generator is a parameter: the platform's CSPRNG in production (secureRandom), a seeded one
 * in tests, so their draws are reproducible.
 */
export type Random = () => number;

/** A uniform draw in (0, 1]: log() of it is finite. */
function openUniform(random: Random): number {
  return 1 - random();
}

/**
 * Two-sided geometric noise with parameter alpha = exp(-epsilon): the difference of two
 * independent geometric variables G with P(G = k) = (1 - alpha) alpha^k, k ≥ 0. Its variance is
 * 2 alpha / (1 - alpha)^2.
 */
export function twoSidedGeometric(epsilon: number, random: Random): number {
  const logAlpha = -epsilon;
  const g1 = Math.floor(Math.log(openUniform(random)) / logAlpha);
  const g2 = Math.floor(Math.log(openUniform(random)) / logAlpha);
  return g1 - g2;
}

/** Laplace noise of the given scale (density exp(-|x|/scale) / 2scale): variance 2·scale². */
export function laplace(scale: number, random: Random): number {
  const u = random() - 0.5;
  // 1 - 2|u| is in (0, 1]: the log is finite.
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}
