import { assembleDataset } from './dataset.ts';
import { SYNTHETIC_DEFAULTS, SYNTHETIC_LIMITS, SYNTHETIC_MODEL } from './defaults.ts';
import { DatasetOptionError } from './errors.ts';
import { createRng, type Rng, sampleRange, sampleWeights, upperBound } from './prng.ts';
import { affinityOf, buildWorld, clickLogit, sigmoid, tasteOf, type World, type WorldUser } from './synthetic-world.ts';
import { syntheticTruth } from './synthetic-truth.ts';
import type { Dataset, Interaction, Item, User } from './types.ts';

export interface SyntheticOptions {
  /** Same seed, same options -> the identical dataset, on any machine. */
  seed: number;
  users?: number;
  items?: number;
  categories?: number;
  days?: number;
  /** Start of the period, ms since the epoch (default 2024-01-01 UTC). */
  start?: number;
  /** Mean sessions per user over the period. */
  sessionsPerUser?: number;
  /**
   * About how many interactions to generate: sets sessionsPerUser (leave that unset) to
   * interactions / (users x mean impressions per session). The count comes out within a few
   * percent (sessions are whole and log-normal, a session ends early when the feed runs dry).
   */
  interactions?: number;
  minImpressions?: number;
  maxImpressions?: number;
  backCatalogShare?: number;
}

const DAY = 86_400_000;
/** Seconds a user spends on an impression they scroll past; clicks add their watch time. */
const SECONDS_PER_IMPRESSION = 4;

/**
 * A deterministic simulation of a short-video platform, for tests and the demo release.
 *
 * Items have a category, a log-normal duration (30 s .. 1 h), an upload time (a back catalogue,
 * then uploads spread over the period), a latent quality and a Zipf popularity. Users have a
 * preference over categories concentrated on 1-3 favourites (leaning by age band), a latent
 * vector and a heavy-tailed activity. Each session the feed shows 10-20 items, picked mostly by
 * popularity, then among recent uploads, the rest by the user's taste, as a previous-generation
 * recommender would. A click depends on taste match, quality, latent affinity and position; the
 * fraction watched depends on the same, with taste weighing more, so watch time carries signal
 * beyond the click. Coefficients: SYNTHETIC_MODEL.
 *
 * Rows: one per impression, `impression` (0) when not clicked, `click` (1) with watchSeconds
 * and watchFraction when clicked; `feedback` is 'impressions'. `truth` exposes the world's
 * click model, so an evaluation can judge a feed against what users truly like
 * (synthetic-truth.ts), not only against what the old feed happened to show them.
 */
export function generateSynthetic(options: SyntheticOptions): Dataset {
  const o = resolve(options);
  const end = o.start + o.days * DAY;
  const world = buildWorld({ ...o, end });
  const rng = createRng(o.seed ^ 0x0dd5e55);
  const interactions: Interaction[] = [];
  for (const user of world.users) simulateUser(world, user, o, end, rng, interactions);

  const items = new Map<string, Item>();
  for (const it of world.items) {
    items.set(it.id, {
      id: it.id,
      title: it.title,
      categories: [world.categoryNames[it.category]!],
      durationSeconds: it.durationSeconds,
      created: it.created,
    });
  }
  const users = new Map<string, User>();
  for (const u of world.users) users.set(u.id, { id: u.id, features: { ...u.features } });
  const { dataset } = assembleDataset({
    name: `synthetic-seed${o.seed}`,
    interactions,
    items,
    users,
    feedback: 'impressions',
    categories: world.categoryNames,
  });
  dataset.truth = syntheticTruth(world);
  return dataset;
}

type Resolved = Required<Omit<SyntheticOptions, 'interactions'>>;

function resolve(options: SyntheticOptions): Resolved {
  const { interactions, ...rest } = options;
  const o: Resolved = { ...SYNTHETIC_DEFAULTS, ...stripUndefined(rest) } as Resolved;
  if (interactions !== undefined) {
    if (options.sessionsPerUser !== undefined) {
      throw new DatasetOptionError('interactions', 'sets sessionsPerUser; give one of the two, not both');
    }
    o.sessionsPerUser = syntheticSessionsPerUser(interactions, o.users, o);
  }
  if (!Number.isInteger(o.seed)) throw new DatasetOptionError('seed', `must be an integer, got ${o.seed}`);
  for (const key of ['users', 'items', 'categories', 'minImpressions', 'maxImpressions'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new DatasetOptionError(key, `must be an integer >= 1, got ${o[key]}`);
  }
  if (o.maxImpressions < o.minImpressions) {
    throw new DatasetOptionError('maxImpressions', `must be >= minImpressions (${o.minImpressions}), got ${o.maxImpressions}`);
  }
  if (!(o.days > 0)) throw new DatasetOptionError('days', `must be > 0, got ${o.days}`);
  if (!(o.sessionsPerUser > 0)) throw new DatasetOptionError('sessionsPerUser', `must be > 0, got ${o.sessionsPerUser}`);
  if (!(o.backCatalogShare >= 0 && o.backCatalogShare <= 1)) {
    throw new DatasetOptionError('backCatalogShare', `must be in [0, 1], got ${o.backCatalogShare}`);
  }
  if (!Number.isFinite(o.start)) throw new DatasetOptionError('start', `must be ms since the epoch, got ${o.start}`);
  return o;
}

/**
 * Mean sessions per user for about `interactions` rows of `users` users. A user's sessions are log-normal and
 * capped (synthetic-world.ts), so a mean above SYNTHETIC_LIMITS.maxSessionsPerUser would come out
 * short of the target: that asks for more users instead.
 */
export function syntheticSessionsPerUser(
  interactions: number,
  users: number,
  o: { minImpressions: number; maxImpressions: number } = SYNTHETIC_DEFAULTS,
): number {
  if (!Number.isInteger(interactions) || interactions < 1) {
    throw new DatasetOptionError('interactions', `must be an integer >= 1, got ${interactions}`);
  }
  if (!Number.isInteger(users) || users < 1) throw new DatasetOptionError('users', `must be an integer >= 1, got ${users}`);
  const perSession = (o.minImpressions + o.maxImpressions) / 2;
  const sessions = interactions / (users * perSession);
  const { minSessionsPerUser, maxSessionsPerUser } = SYNTHETIC_LIMITS;
  if (sessions < minSessionsPerUser || sessions > maxSessionsPerUser) {
    const lo = Math.ceil(users * perSession * minSessionsPerUser);
    const hi = Math.floor(users * perSession * maxSessionsPerUser);
    throw new DatasetOptionError(
      'interactions',
      `${interactions} for ${users} users is ${(interactions / users).toFixed(1)} per user; with ${users} users it must be ` +
        `${lo}..${hi} (${minSessionsPerUser}..${maxSessionsPerUser} sessions of ~${perSession} impressions each): change the users or the interactions`,
    );
  }
  return sessions;
}

function stripUndefined(o: SyntheticOptions): Partial<SyntheticOptions> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}


function simulateUser(world: World, user: WorldUser, o: Resolved, end: number, rng: Rng, out: Interaction[]): void {
  const M = SYNTHETIC_MODEL;
  const span = end - o.start;
  const starts = Array.from({ length: user.sessions }, () => o.start + Math.floor(rng.next() * span)).sort((a, b) => a - b);
  const clicked = new Set<number>();
  for (const start of starts) {
    const count = o.minImpressions + rng.int(o.maxImpressions - o.minImpressions + 1);
    const shown = new Set<number>();
    let t = start;
    for (let position = 0; position < count; position++) {
      const index = pickImpression(world, user, t, rng, shown, clicked);
      if (index === undefined) break;
      shown.add(index);
      const item = world.items[index]!;
      const taste = tasteOf(world, user, item);
      const affinity = affinityOf(user, item);
      const pClick = sigmoid(clickLogit(world, user, item, position));
      const at = t;
      t += SECONDS_PER_IMPRESSION * 1000;
      // Each row is made whole in one literal (two shapes in all, every field in line), not
      // grown by properties later.
      let x: Interaction;
      if (rng.next() < pClick) {
        const z =
          M.watchBias + M.watchTaste * taste + M.watchQuality * item.quality + M.watchAffinity * affinity -
          M.watchLength * Math.log(item.durationSeconds / 300) + M.watchNoise * rng.normal();
        const watchSeconds = Math.round(sigmoid(z) * item.durationSeconds * 10) / 10;
        x = { user: user.id, item: item.id, at, label: 1, type: 'click', watchSeconds, watchFraction: watchSeconds / item.durationSeconds };
        clicked.add(index);
        t += Math.round(watchSeconds * 1000);
      } else {
        x = { user: user.id, item: item.id, at, label: 0, type: 'impression' };
      }
      out.push(x);
    }
  }
}

/**
 * One item for the feed at time t: popular, recent or to taste; never one already shown in
 * this session or clicked before (a feed filters those). Undefined when retries run out.
 */
function pickImpression(
  world: World,
  user: WorldUser,
  t: number,
  rng: Rng,
  shown: Set<number>,
  clicked: Set<number>,
): number | undefined {
  const M = SYNTHETIC_MODEL;
  const online = upperBound(world.created, t);
  if (online === 0) return undefined;
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = rng.next();
    let index: number;
    if (r < M.feedPopular) {
      index = sampleRange(world.popularityCum, 0, online, rng);
    } else if (r < M.feedPopular + M.feedRecent) {
      const from = upperBound(world.created, t - M.recentDays * DAY);
      // Nothing uploaded lately: fall back to the popular pick.
      index = sampleRange(world.popularityCum, from < online ? from : 0, online, rng);
    } else {
      const cat = world.byCategory[sampleWeights(user.preference, rng)]!;
      const n = upperBound(cat.created, t);
      if (n === 0) continue;
      index = cat.items[sampleRange(cat.cum, 0, n, rng)]!;
    }
    if (!shown.has(index) && !clicked.has(index)) return index;
  }
  return undefined;
}

