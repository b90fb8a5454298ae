/**
 * A linking attack across days. The server holds, per day, observations it cannot tie to a
 * device: a batch, or batches it could group (by token, by address and time). The operator knows
 * the release, so it knows every item's vector; it links each day-d observation to the day-(d+1)
 * observation whose items point the most the same way (cosine of the mean item vectors), a
 * random one among ties. Items seldom repeat from one day to the next (a film is rated once), so
 * overlap alone would link almost nothing; taste does.
 */

export interface Observation {
  /** The device behind it: the truth the attack is scored against, never an input to it. */
  user: number;
  /** Day index (every user's day 0 on the same day). */
  day: number;
  items: readonly string[];
}

export interface LinkingResult {
  /** Expected share of day-d observations linked to one of their own device's day-(d+1) observations. */
  linked: number;
  /** The same for a guess uniformly at random among the day-(d+1) observations. */
  chance: number;
  /** Day-d observations scored: those whose device also shows up on day d+1. */
  scored: number;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** The mean of the unit item vectors, made unit; zero when no item has a vector (it then ties with everything). */
function profile(items: readonly string[], vectors: ReadonlyMap<string, Float32Array>, dim: number): Float32Array {
  const out = new Float32Array(dim);
  for (const item of items) {
    const v = vectors.get(item);
    if (!v) continue;
    const u = unit(Float32Array.from(v));
    for (let i = 0; i < dim; i++) out[i]! += u[i]!;
  }
  return unit(out);
}

interface Group {
  profile: Float32Array;
  /** Observations with these items, by device. */
  users: Map<number, number>;
  size: number;
}

/** Observations of one day with the same items share one profile (a batch of one item is one of a few thousand). */
function groups(obs: readonly Observation[], vectors: ReadonlyMap<string, Float32Array>, dim: number): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const o of obs) {
    const key = [...new Set(o.items)].sort().join('\u0000');
    let g = out.get(key);
    if (!g) out.set(key, (g = { profile: profile([...new Set(o.items)], vectors, dim), users: new Map(), size: 0 }));
    g.users.set(o.user, (g.users.get(o.user) ?? 0) + 1);
    g.size++;
  }
  return out;
}

/** Ties within this much cosine are ties: profiles of the same items in another order differ by rounding only. */
const TIE = 1e-6;

export function linkAcrossDays(observations: readonly Observation[], vectors: ReadonlyMap<string, Float32Array>): LinkingResult {
  const dim = vectors.values().next().value?.length ?? 0;
  const byDay = new Map<number, Observation[]>();
  for (const o of observations) {
    const list = byDay.get(o.day) ?? [];
    list.push(o);
    byDay.set(o.day, list);
  }
  let linked = 0;
  let chance = 0;
  let scored = 0;
  for (const [day, today] of byDay) {
    const tomorrow = byDay.get(day + 1);
    if (!tomorrow) continue;
    const next = [...groups(tomorrow, vectors, dim).values()];
    const seenTomorrow = new Map<number, number>();
    for (const o of tomorrow) seenTomorrow.set(o.user, (seenTomorrow.get(o.user) ?? 0) + 1);
    for (const g of groups(today, vectors, dim).values()) {
      // The best day-(d+1) groups for this profile, and how many observations they hold.
      let best = -Infinity;
      let top: Group[] = [];
      for (const h of next) {
        let s = 0;
        for (let i = 0; i < dim; i++) s += g.profile[i]! * h.profile[i]!;
        if (s > best + TIE) {
          best = s;
          top = [h];
        } else if (s >= best - TIE) top.push(h);
      }
      const topSize = top.reduce((n, h) => n + h.size, 0);
      for (const [user, count] of g.users) {
        const mine = seenTomorrow.get(user);
        if (mine === undefined) continue;
        const hits = top.reduce((n, h) => n + (h.users.get(user) ?? 0), 0);
        linked += (count * hits) / topSize;
        chance += (count * mine) / tomorrow.length;
        scored += count;
      }
    }
  }
  return { linked: scored > 0 ? linked / scored : NaN, chance: scored > 0 ? chance / scored : NaN, scored };
}
