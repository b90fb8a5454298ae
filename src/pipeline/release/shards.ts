/**
 * From the catalogue to shard bytes: the head, one shard per IVF cluster, and the centroids.
 * Each shard is a subset of the catalogue's rows (ids, embeddings, columns, meta) encoded with
 * the core codec, so the device decodes exactly what the pipeline wrote.
 */
import { encodeShard, type ShardInfo, type Quantization } from '../../core/shard/index.ts';
import { columnRows, type ColumnData } from './item-columns.ts';

/** The whole catalogue, checked and in the layout the shards are cut from. */
export interface Catalog {
  n: number;
  dim: number;
  /** u32 when every id is a canonical decimal integer below 2^32, else the strings. */
  ids: readonly number[] | readonly string[];
  /** n × dim, row-major. */
  embeddings: Float32Array;
  columns: readonly ColumnData[];
  meta: readonly { name: string; values: readonly string[] }[];
}

/** The shard of catalogue rows `rows`, in that order. */
export function encodeRows(c: Catalog, rows: ArrayLike<number>, info: ShardInfo, quantization: Quantization): Uint8Array {
  const count = rows.length;
  const ids: (number | string)[] = new Array<number | string>(count);
  const embeddings = new Float32Array(count * c.dim);
  for (let r = 0; r < count; r++) {
    const i = rows[r]!;
    ids[r] = c.ids[i]!;
    embeddings.set(c.embeddings.subarray(i * c.dim, (i + 1) * c.dim), r * c.dim);
  }
  const meta: Record<string, string[]> = {};
  for (const m of c.meta) meta[m.name] = Array.from({ length: count }, (_, r) => m.values[rows[r]!]!);
  return encodeShard({
    ids,
    dim: c.dim,
    embeddings,
    columns: c.columns.map((col) => columnRows(col, rows)),
    meta,
    info,
    quantization,
  });
}

/**
 * The centroids artifact, which a device fetches to pick its nearest clusters before fetching
 * any of them. It is a shard too (one codec, header, CRC and decoder on the device; scoreShard
 * scores the user vector against every centroid in one call): ids are the cluster ids, the
 * embeddings the centroids (int8, plenty to rank a few hundred centroids; each cluster shard
 * carries its exact float32 centroid), and a u32 column `items` gives each cluster's size.
 * Its header says cluster -1 like any shard without one; the manifest kind "centroids" is what
 * tells it from the head.
 */
export function encodeCentroids(centroids: Float32Array, dim: number, sizes: Uint32Array): Uint8Array {
  const k = sizes.length;
  return encodeShard({
    ids: Array.from({ length: k }, (_, c) => c),
    dim,
    embeddings: centroids,
    columns: [{ name: 'items', type: 'u32', data: sizes }],
    info: { shardId: 'centroids' },
    quantization: 'int8',
  });
}

/**
 * Drops empty clusters (possible only with fewer distinct vectors than clusters) and renumbers
 * the rest 0..k'-1 in their original order, so every cluster shard has at least one item.
 */
export function compactClusters(
  centroids: Float32Array,
  assignment: Uint32Array,
  sizes: Uint32Array,
  dim: number,
): { centroids: Float32Array; assignment: Uint32Array; sizes: Uint32Array; members: Uint32Array[] } {
  const k = sizes.length;
  const renumber = new Int32Array(k).fill(-1);
  let kept = 0;
  for (let c = 0; c < k; c++) if (sizes[c]! > 0) renumber[c] = kept++;
  const outCentroids = new Float32Array(kept * dim);
  const outSizes = new Uint32Array(kept);
  for (let c = 0; c < k; c++) {
    const to = renumber[c]!;
    if (to < 0) continue;
    outCentroids.set(centroids.subarray(c * dim, (c + 1) * dim), to * dim);
    outSizes[to] = sizes[c]!;
  }
  const outAssignment = new Uint32Array(assignment.length);
  const members = Array.from({ length: kept }, (_, c) => new Uint32Array(outSizes[c]!));
  const fill = new Uint32Array(kept);
  for (let i = 0; i < assignment.length; i++) {
    const c = renumber[assignment[i]!]!;
    outAssignment[i] = c;
    members[c]![fill[c]!++] = i;
  }
  return { centroids: outCentroids, assignment: outAssignment, sizes: outSizes, members };
}
