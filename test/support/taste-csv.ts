// A small CSV dataset the pipeline has never seen: users with favourite categories rate what they
// watch, mostly favourites, highly. Written by the tests, never checked in.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './vector-data.ts';

export interface TasteCsv {
  interactions: string;
  items: string;
}

export function writeTasteCsv(dir: string, { users = 300, items = 400, categories = 8, seed = 5 } = {}): TasteCsv {
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const start = Date.UTC(2025, 0, 1);
  const DAY = 86_400_000;
  const cats = Array.from({ length: categories }, (_, c) => `cat${c}`);
  const itemCat = Array.from({ length: items }, () => pick(categories));
  const byCat = cats.map((_, c) => itemCat.flatMap((ic, i) => (ic === c ? [i] : [])));
  const itemLines = ['item_id,title,categories,duration_seconds,created,notes'];
  for (let i = 0; i < items; i++) {
    const second = rand() < 0.3 ? `|${cats[(itemCat[i]! + 1) % categories]}` : '';
    itemLines.push(`i${i},"Item ${i}, a ${cats[itemCat[i]!]}",${cats[itemCat[i]!]}${second},${60 + pick(3000)},${new Date(start - pick(400) * DAY).toISOString()},ignored`);
  }
  const rows = ['user_id,item_id,timestamp,rating,extra'];
  for (let u = 0; u < users; u++) {
    const fav = [pick(categories), pick(categories)];
    const n = 20 + pick(40);
    const seen = new Set<number>();
    let t = start + pick(30) * DAY;
    for (let k = 0; k < n; k++) {
      const favourite = rand() < 0.75;
      const pool = favourite ? byCat[fav[pick(2)]!]! : null;
      const item = pool && pool.length > 0 ? pool[pick(pool.length)]! : Math.floor(items * rand() * rand());
      if (seen.has(item)) continue;
      seen.add(item);
      const rating = favourite ? (rand() < 0.85 ? 4 + pick(2) : 3) : 1 + pick(3) + (rand() < 0.2 ? 2 : 0);
      t += pick(3 * 3600) * 1000 + 60_000;
      rows.push(`u${u},i${item},${Math.floor(t / 1000)},${Math.min(rating, 5)},x`);
    }
  }
  const paths = { interactions: join(dir, 'interactions.csv'), items: join(dir, 'items.csv') };
  writeFileSync(paths.interactions, rows.join('\n') + '\n');
  writeFileSync(paths.items, itemLines.join('\n') + '\n');
  return paths;
}
