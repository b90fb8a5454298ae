/**
 * Tunables of the release writer, in one place, so the CLI can print them and tests can pin them.
 *
 * Sizes, for a d=64 catalogue with the default columns: an item costs 4 (scale) + 64 (int8
 * embedding) + 6 (3 categories) + 12 (duration, day, popularity) + its id, title and image
 * bytes (each string also 4 bytes of offset). Measured on 100k items with 10-character string
 * ids, 42-character titles and 35-character image URLs: 191 bytes per item over all shards,
 * head and centroids included; 83 with no columns and no meta.
 */
export const KMEANS_DEFAULTS = Object.freeze({
  /** Lloyd iterations over the training sample; most runs stop earlier on `tolerance`. */
  iterations: 20,
  /**
   * Stop when the inertia improves by less than this share of itself in one iteration. On 100k
   * × 64 topic-mixture vectors, k = 224, 1e-3 stops after 10-17 iterations within 0.5% of the
   * inertia of 25; the last iterations move a few dozen points of 10k.
   */
  tolerance: 1e-3,
  /**
   * 'euclidean' is plain k-means. 'cosine' (spherical k-means) clusters by direction: points and
   * centroids are L2-normalised and a point goes to the centroid of highest dot product.
   */
  metric: 'euclidean' as 'euclidean' | 'cosine',
  /**
   * Lloyd runs on a random sample of at most this many points per cluster, then every point is
   * assigned once (exactly) to the trained centroids. One assignment pass over 100k × 64 with
   * k = 224 takes about 1.2 s on one core, so 20 full passes would be half a minute. FAISS trains
   * on 39 to 256 points per centroid for the same reason. Measured on 100k × 64 topic-mixture
   * vectors, k = 224 (plain seeding): 32 / 48 / 64 per cluster gave inertia 1.154 / 1.120 / 1.111
   * per point. With these defaults the whole run takes about 3 s on one core (seeding 0.4 s,
   * 13 Lloyd iterations 1.3 s, the final pass 1.1 s); k = 256 about 3.5 s.
   */
  maxPointsPerCluster: 48,
  /** ... but never fewer than this many (all of them when n is smaller): small runs are cheap anyway. */
  minTrainPoints: 10_000,
  /**
   * Candidates drawn per k-means++ step; greedy k-means++ keeps the one that lowers the potential
   * most. 1 is plain k-means++, which on 8 well-separated blobs seeded two centroids into one blob
   * (and never recovered) in 18-28 runs of 100; 2 + floor(ln k), scikit-learn's choice, in 0-2.
   * Each candidate costs one pass over the points seeding looks at (below).
   */
  seedTrials: (k: number): number => 2 + Math.floor(Math.log(k)),
  /**
   * Seeding looks at a random subset of the training sample: this many points per cluster, at
   * least minSeedPoints. Greedy seeding over all 10.7k training points of a 100k, k = 224 run
   * took 1.4 s of 4.5; seeds only need to land in the right regions, and Lloyd moves them.
   */
  seedPointsPerCluster: 16,
  minSeedPoints: 4096,
});

export const RELEASE_DEFAULTS = Object.freeze({
  /**
   * The release clusters item vectors by direction ('cosine'). Item vectors are L2-normalised
   * and the device picks clusters by the dot product of its user vector with each centroid; with
   * unit centroids that is exactly the rule that assigned the items, so an item's own vector
   * routes to its own cluster. Euclidean centroids have unequal norms, which would bias the
   * device's dot-product routing towards big (spread-out) clusters.
   */
  metric: 'cosine' as 'euclidean' | 'cosine',
  /**
   * Number of IVF clusters: k = round(sqrt(n / clusterCountDivisor)), clamped so a cluster holds
   * between minClusterItems and maxClusterItems on average, and at least 1. That gives a cluster
   * sqrt(2n) items: 100k items -> 224 clusters of ~450 (about 75 KB each), 1M -> 707 of ~1,400,
   * 10M -> 2,500 of 4,000 (the cap). A device loads the head plus its `probeClusters` nearest
   * clusters, a few hundred KB to a few MB, and the manifest lists one artifact per cluster, so
   * k growing like sqrt(n) keeps the manifest small too.
   */
  clusterCountDivisor: 2,
  minClusterItems: 200,
  maxClusterItems: 4000,
  /** What the device is expected to load besides the head (documentation; the device decides). */
  probeClusters: 8,
  /** Head shard size: headShare of the catalogue, at most headMaxItems, at least 1. */
  headShare: 0.05,
  headMaxItems: 500,
  /** Share of the head picked by popularity; the rest are the newest items not already in it. */
  headPopularShare: 0.7,
  /** Width of the default `category` column: categories beyond this are dropped, in item order. */
  maxCategories: 3,
  /**
   * Golden vectors (golden-vectors.ts): rows of the ranker and of the user tower, and the top-k
   * over the head shard that a retrieval backend must reproduce. Few rows keep the manifest small
   * and the device's check cheap (one small run per model and runtime at cold start), while
   * still covering a new user, short and long histories, stale entries and items from clusters.
   */
  goldenRankerRows: 8,
  goldenUserRows: 4,
  goldenRetrievalK: 20,
  /** Temp directories next to the output start with this (they are removed on success and on failure). */
  tempPrefix: '.ondeck-release-tmp-',
});
