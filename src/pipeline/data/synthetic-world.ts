import { SYNTHETIC_MODEL } from './defaults.ts';
import { createRng, cumulative, type Rng, sampleWeights } from './prng.ts';

/**
 * The hidden state of the synthetic platform: what the generator knows and a model must
 * recover from behaviour alone. Items are ordered by upload time (index = upload order), so
 * "online at time t" is a prefix of the array.
 */
export interface WorldItem {
  id: string;
  title: string;
  category: number;
  durationSeconds: number;
  created: number;
  /** Standard normal; better items get clicked and watched more, and become popular more often. */
  quality: number;
  /** Zipf weight from the item's popularity rank; the feed's main way of choosing. */
  popularity: number;
  latent: Float64Array;
}

export interface WorldUser {
  id: string;
  /** Preference over categories, sums to 1, mostly on the 1-3 favourites. */
  preference: Float64Array;
  favourites: number[];
  latent: Float64Array;
  sessions: number;
  features: { device: string; ageBand: string };
}

export interface World {
  categoryNames: string[];
  items: WorldItem[];
  /** Per category: indices into items (upload order) and their cumulative popularity. */
  byCategory: { items: Uint32Array; created: Float64Array; cum: Float64Array }[];
  created: Float64Array;
  popularityCum: Float64Array;
  users: WorldUser[];
}

export interface WorldShape {
  seed: number;
  users: number;
  items: number;
  categories: number;
  start: number;
  end: number;
  sessionsPerUser: number;
  backCatalogShare: number;
}

const CATEGORY_NAMES = [
  'Comedy', 'Music', 'Gaming', 'Sports', 'News', 'Cooking', 'Travel', 'Science', 'Pets', 'Fashion',
  'DIY', 'Education', 'Fitness', 'Film', 'Tech', 'Art', 'Nature', 'Cars', 'History', 'Dance',
];
const ADJECTIVES = [
  'Quiet', 'Golden', 'Electric', 'Hidden', 'Endless', 'Tiny', 'Wild', 'Midnight', 'Honest', 'Broken', 'Bright', 'Lazy',
];
const NOUNS = [
  'Harbor', 'Kitchen', 'Summit', 'Garden', 'Signal', 'Road Trip', 'Workshop', 'Echo', 'Marathon', 'Experiment',
  'Market', 'Lesson',
];
const DEVICES = ['android', 'ios', 'web'];
const DEVICE_WEIGHTS = [0.5, 0.35, 0.15];
const AGE_BANDS = ['13-17', '18-24', '25-34', '35-49', '50+'];
const AGE_WEIGHTS = [0.1, 0.3, 0.3, 0.2, 0.1];
const BACK_CATALOG_DAYS = 180;
const DAY = 86_400_000;

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** How much the user's category preference favours the item: log(C * pref), clamped to [-3, 3]. */
export function tasteOf(world: World, user: WorldUser, item: WorldItem): number {
  return Math.max(-3, Math.min(3, Math.log(world.categoryNames.length * user.preference[item.category]!)));
}

/** Taste beyond categories: the dot product of the latent vectors. */
export function affinityOf(user: WorldUser, item: WorldItem): number {
  const a = user.latent;
  const b = item.latent;
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/**
 * The click logit of the simulation (SYNTHETIC_MODEL): the one definition both the generator
 * and the ground truth (synthetic-truth.ts) read, so the truth is the generator's own model.
 * `position` is the 0-based slot in the session's feed.
 */
export function clickLogit(world: World, user: WorldUser, item: WorldItem, position: number): number {
  return clickLogitOf(tasteOf(world, user, item), item.quality, affinityOf(user, item), position);
}

/** clickLogit from its parts (tasteOf, the item's quality, affinityOf, the slot). */
export function clickLogitOf(taste: number, quality: number, affinity: number, position: number): number {
  const M = SYNTHETIC_MODEL;
  return M.clickBias + M.clickTaste * taste + M.clickQuality * quality + M.clickAffinity * affinity + M.clickPosition * position;
}

export function categoryNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => CATEGORY_NAMES[i] ?? `Category ${i + 1}`);
}

export function buildWorld(shape: WorldShape): World {
  // Separate streams for items and users: changing the user count leaves the catalogue alone.
  const names = categoryNames(shape.categories);
  const items = buildItems(shape, names, createRng(shape.seed ^ 0x1badb002));
  const created = Float64Array.from(items, (it) => it.created);
  const byCategory = names.map((_, c) => {
    const idx = Uint32Array.from(items.flatMap((it, i) => (it.category === c ? [i] : [])));
    return {
      items: idx,
      created: Float64Array.from(idx, (i) => items[i]!.created),
      cum: cumulative(Float64Array.from(idx, (i) => items[i]!.popularity)),
    };
  });
  const popularityCum = cumulative(Float64Array.from(items, (it) => it.popularity));
  const users = buildUsers(shape, createRng(shape.seed ^ 0x5eed5eed));
  return { categoryNames: names, items, byCategory, created, popularityCum, users };
}

function latent(rng: Rng, scale: number): Float64Array {
  const v = new Float64Array(SYNTHETIC_MODEL.latentDim);
  for (let k = 0; k < v.length; k++) v[k] = rng.normal() * scale;
  return v;
}

function buildItems(shape: WorldShape, names: string[], rng: Rng): WorldItem[] {
  const C = names.length;
  // Categories differ in size, as on a real platform (lots of gaming, little history).
  const categoryWeights = Array.from({ length: C }, () => rng.logNormal(0, 0.5));
  const span = shape.end - shape.start;
  const draft = Array.from({ length: shape.items }, () => {
    const backCatalog = rng.next() < shape.backCatalogShare;
    return {
      category: sampleWeights(categoryWeights, rng),
      // Log-normal around 4 minutes, clamped to 30 s .. 1 h.
      durationSeconds: Math.round(Math.min(3600, Math.max(30, rng.logNormal(Math.log(240), 1)))),
      created: Math.floor(backCatalog ? shape.start - rng.next() * BACK_CATALOG_DAYS * DAY : shape.start + rng.next() * span),
      quality: rng.normal(),
      latent: latent(rng, 1 / Math.sqrt(SYNTHETIC_MODEL.latentDim)),
      rankKey: 0,
    };
  });
  // Popularity follows quality only loosely: a noisy ranking, then a Zipf weight per rank.
  for (const d of draft) d.rankKey = 0.6 * d.quality + rng.normal();
  const byRank = draft.map((_, i) => i).sort((a, b) => draft[b]!.rankKey - draft[a]!.rankKey);
  const popularity = new Float64Array(draft.length);
  byRank.forEach((i, rank) => (popularity[i] = 1 / Math.pow(rank + 1, SYNTHETIC_MODEL.zipfExponent)));

  const order = draft.map((_, i) => i).sort((a, b) => draft[a]!.created - draft[b]!.created || a - b);
  const perCategory = new Array<number>(C).fill(0);
  return order.map((i, n) => {
    const d = draft[i]!;
    const number = ++perCategory[d.category]!;
    const words = `${ADJECTIVES[rng.int(ADJECTIVES.length)]} ${NOUNS[rng.int(NOUNS.length)]}`;
    return {
      id: `v${n + 1}`,
      title: `${names[d.category]} #${number} — ${words}`,
      category: d.category,
      durationSeconds: d.durationSeconds,
      created: d.created,
      quality: d.quality,
      popularity: popularity[i]!,
      latent: d.latent,
    };
  });
}

function buildUsers(shape: WorldShape, rng: Rng): WorldUser[] {
  const C = shape.categories;
  // Each age band leans towards some categories, so side features say something about a
  // new user's taste (what a cold-start model can use).
  const bandTilt = AGE_BANDS.map(() => Array.from({ length: C }, () => rng.logNormal(0, 1)));
  // Log-normal activity with the requested mean: E[exp(N(mu, 1))] = exp(mu + 1/2).
  const mu = Math.log(shape.sessionsPerUser) - 0.5;
  return Array.from({ length: shape.users }, (_, u) => {
    const band = sampleWeights(AGE_WEIGHTS, rng);
    const tilt = bandTilt[band]!;
    const tiltSum = tilt.reduce((a, b) => a + b, 0);
    const prior = tilt.map((t) => 0.5 / C + (0.5 * t) / tiltSum);
    const count = Math.min(C, 1 + sampleWeights([0.4, 0.4, 0.2], rng));
    const favourites: number[] = [];
    while (favourites.length < count) {
      const c = sampleWeights(prior, rng);
      if (!favourites.includes(c)) favourites.push(c);
    }
    const preference = new Float64Array(C);
    const background = Array.from({ length: C }, () => rng.logNormal(0, 0.5));
    const backgroundSum = background.reduce((a, b) => a + b, 0);
    for (let c = 0; c < C; c++) preference[c] = ((1 - SYNTHETIC_MODEL.favouriteMass) * background[c]!) / backgroundSum;
    const favWeights = favourites.map(() => 0.5 + rng.next());
    const favSum = favWeights.reduce((a, b) => a + b, 0);
    favourites.forEach((c, k) => (preference[c]! += (SYNTHETIC_MODEL.favouriteMass * favWeights[k]!) / favSum));
    return {
      id: `u${u + 1}`,
      preference,
      favourites,
      latent: latent(rng, 1),
      sessions: Math.max(1, Math.min(200, Math.round(rng.logNormal(mu, 1)))),
      features: { device: DEVICES[sampleWeights(DEVICE_WEIGHTS, rng)]!, ageBand: AGE_BANDS[band]! },
    };
  });
}
