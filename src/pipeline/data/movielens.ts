import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assembleDataset } from './dataset.ts';
import { DATA_DEFAULTS } from './defaults.ts';
import { DatasetError } from './errors.ts';
import { labelOfRating, typeForLabel } from './labels.ts';
import { readDatasetFile } from './read-file.ts';
import type { Dataset, Interaction, Item, User } from './types.ts';

const FILES = ['u.data', 'u.item', 'u.genre', 'u.user'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Loads the MovieLens-100K layout from a folder: u.data (user, item, rating, unix seconds; tab
 * separated), u.item ('|'-separated, Latin-1: id, title, release date, video release date, IMDb
 * URL, one 0/1 flag per genre), u.genre (name|index) and u.user (id|age|gender|occupation|zip).
 *
 * Ratings of 4 and 5 are positives (`like`), 1 to 3 negatives (`skip`); `feedback` is
 * 'explicit'. Ids stay the file's strings ("1", "2", ...). An item's `created` is its release
 * date (UTC midnight) when it has one.
 */
export function loadMovieLens(dir: string): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError({ file: dir }, `MovieLens folder not found; expected a folder holding ${FILES.join(', ')}`);
  }
  const categories = readGenres(join(dir, 'u.genre'));
  const items = readItems(join(dir, 'u.item'), categories);
  const users = readUsers(join(dir, 'u.user'));
  const interactions = readRatings(join(dir, 'u.data'));
  const { dataset } = assembleDataset({ name: 'movielens-100k', interactions, items, users, feedback: 'explicit', categories });
  return dataset;
}

/** Non-empty lines with their 1-based line numbers. */
function lines(file: string, encoding: 'utf8' | 'latin1'): [number, string][] {
  const out: [number, string][] = [];
  const all = readDatasetFile(file, 'MovieLens file').toString(encoding).split(/\r?\n/);
  for (let i = 0; i < all.length; i++) if (all[i]!.trim() !== '') out.push([i + 1, all[i]!]);
  return out;
}

function fields(file: string, line: number, text: string, sep: string, min: number, what: string): string[] {
  const parts = text.split(sep);
  if (parts.length < min) {
    const name = sep === '\t' ? 'tab' : `'${sep}'`;
    throw new DatasetError({ file, line }, `expected ${min} ${name}-separated fields (${what}), found ${parts.length}`);
  }
  return parts;
}

function integer(file: string, line: number, column: string, value: string): number {
  const n = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new DatasetError({ file, line, column }, `${JSON.stringify(value)} is not an integer`);
  return n;
}

function readGenres(file: string): string[] {
  const byIndex: string[] = [];
  for (const [line, text] of lines(file, 'latin1')) {
    const [name = '', index = ''] = fields(file, line, text, '|', 2, 'name|index');
    byIndex[integer(file, line, 'index', index)] = name;
  }
  return Array.from(byIndex, (g, i) => g ?? `genre ${i}`);
}

function readItems(file: string, genres: readonly string[]): Map<string, Item> {
  const items = new Map<string, Item>();
  // Latin-1 decodes every byte to the code point of the same value: é is 0xE9 in the file.
  for (const [line, text] of lines(file, 'latin1')) {
    const what = `id|title|release|video release|url + ${genres.length} genre flags`;
    const f = fields(file, line, text, '|', 5 + genres.length, what);
    const id = f[0]!.trim();
    const item: Item = { id, title: f[1] || id, categories: [] };
    for (let g = 0; g < genres.length; g++) if (f[5 + g]!.trim() === '1') item.categories.push(genres[g]!);
    const created = releaseDate(f[2]!);
    if (created !== undefined) item.created = created;
    items.set(id, item);
  }
  return items;
}

/** "01-Jan-1995" -> ms at UTC midnight; undefined when empty or not in that form. */
function releaseDate(text: string): number | undefined {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text.trim());
  if (m === null) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  return month < 0 ? undefined : Date.UTC(Number(m[3]), month, Number(m[1]));
}

function readUsers(file: string): Map<string, User> {
  const users = new Map<string, User>();
  for (const [line, text] of lines(file, 'latin1')) {
    const f = fields(file, line, text, '|', 5, 'id|age|gender|occupation|zip');
    const [id = '', age = '', gender = '', occupation = '', zip = ''] = f;
    users.set(id, { id, features: { age: integer(file, line, 'age', age), gender, occupation, zip } });
  }
  return users;
}

function readRatings(file: string): Interaction[] {
  const out: Interaction[] = [];
  for (const [line, text] of lines(file, 'utf8')) {
    const [user = '', item = '', ratingText = '', seconds = ''] = fields(file, line, text, '\t', 4, 'user item rating timestamp');
    const rating = integer(file, line, 'rating', ratingText);
    const label = labelOfRating(rating, DATA_DEFAULTS.positiveRating);
    const at = integer(file, line, 'timestamp', seconds) * 1000;
    out.push({ user, item, at, label, type: typeForLabel(label, { rating }), rating });
  }
  return out;
}
