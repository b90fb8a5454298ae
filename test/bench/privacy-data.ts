/**
 * The simulated users of the privacy bench: each user's first 30 days, as the events the feed
 * records. MovieLens-100K ratings (real timestamps) and the synthetic world's impressions (the
 * release `ondeck build --dataset synthetic --seed 42` is built from the same data).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventType } from '../../src/core/events.ts';
import { generateSynthetic } from '../../src/pipeline/data/index.ts';

export const DAY_MS = 86_400_000;
export const DAYS = 30;

/** One thing a user did with an item, as the feed's events (test/bench/browser/privacy-device.ts has the same shape). */
export interface Act {
  item: string;
  at: number;
  events: { type: EventType; at: number; watchFraction?: number }[];
}

/** Users (ids from 0, in the source's order) and each one's acts in their first DAYS days, by time. */
export type Population = Map<number, Act[]>;

/** A rating is shown, opened, and liked when rated 4 or 5. */
export function movieLensEvents(rating: number, at: number): Act['events'] {
  const out: Act['events'] = [
    { type: 'impression', at },
    { type: 'click', at: at + 1 },
  ];
  if (rating >= 4) out.push({ type: 'like', at: at + 2 });
  return out;
}

function firstDays(byUser: Map<number, Act[]>): Population {
  const out: Population = new Map();
  for (const [u, list] of [...byUser].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.at - b.at);
    out.set(u, list.filter((r) => r.at < list[0]!.at + DAYS * DAY_MS));
  }
  return out;
}

export function movieLensPopulation(dir: string): Population {
  const byUser = new Map<number, Act[]>();
  for (const line of readFileSync(join(dir, 'u.data'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [u, i, r, t] = line.split('\t');
    const at = Number(t) * 1000;
    const list = byUser.get(Number(u)) ?? [];
    list.push({ item: String(Number(i)), at, events: movieLensEvents(Number(r), at) });
    byUser.set(Number(u), list);
  }
  return firstDays(byUser);
}

/**
 * The synthetic world's users: an impression is shown; a clicked one is shown and opened, with
 * the fraction watched (as the pipeline reads a click row).
 */
export function syntheticPopulation(seed: number): Population {
  const data = generateSynthetic({ seed });
  const ids = new Map<string, number>();
  const byUser = new Map<number, Act[]>();
  for (const x of data.interactions) {
    let u = ids.get(x.user);
    if (u === undefined) ids.set(x.user, (u = Number(x.user.replace(/^u/, ''))));
    const events: Act['events'] = [{ type: 'impression', at: x.at }];
    if (x.type === 'click') events.push({ type: 'click', at: x.at + 1, ...(x.watchFraction === undefined ? {} : { watchFraction: x.watchFraction }) });
    const list = byUser.get(u) ?? [];
    list.push({ item: x.item, at: x.at, events });
    byUser.set(u, list);
  }
  return firstDays(byUser);
}

/** The day of `at` counted from the UTC day of the user's first act: every user's day 0 laid on the same day. */
export function dayOf(at: number, first: number): number {
  return Math.floor(at / DAY_MS) - Math.floor(first / DAY_MS);
}
