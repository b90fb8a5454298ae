import { decodeShard, encodeShard } from '../../src/core/shard/index.ts';
import { crc32 } from '../../src/core/shard/crc32.ts';
import type { ShardInput } from '../../src/core/shard/input.ts';
import { mulberry32 as seeded } from '../support/vector-data.ts';
import { measure } from './measure.ts';
import type { BenchFigure, BenchSuite } from './types.ts';


/** n items, d=64 random-normal embeddings, the typical 8-byte feature set, optional short titles. */
function catalog(n: number, titles: boolean): ShardInput {
  const rand = seeded(11);
  const embeddings = new Float32Array(n * 64);
  for (let i = 0; i < embeddings.length; i++) {
    embeddings[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }
  const u16 = (max: number) => Uint16Array.from({ length: n }, () => Math.floor(rand() * max));
  const words = ['cats', 'cooking', 'street food', 'jazz', 'how to', 'live', 'tour', 'café', 'review', 'tutorial'];
  return {
    ids: Array.from({ length: n }, (_, i) => 5_000_000 + i),
    dim: 64,
    embeddings,
    columns: [
      { name: 'category', type: 'u16', data: u16(400) },
      { name: 'duration_s', type: 'u16', data: u16(3600) },
      { name: 'age_days', type: 'u16', data: u16(2000) },
      { name: 'popularity', type: 'u16', data: u16(65536) },
    ],
    ...(titles
      ? { meta: { title: Array.from({ length: n }, (_, i) => `${words[i % 10]} ${words[(i * 7) % 10]} #${i}`) } }
      : {}),
  };
}

async function timed(key: string, label: string, fn: () => unknown, runs: number): Promise<BenchFigure> {
  const t = await measure(fn, { runs, warmup: 5 });
  return { key, label, value: t.median, unit: 'ms', p95: t.p95 };
}

export const shardBench: BenchSuite = {
  name: 'shard',
  async run({ quick }) {
    const n = quick ? 10_000 : 100_000;
    const size = quick ? '10k' : '100k';
    const runs = quick ? 20 : 15;
    const plain = catalog(n, false);
    const titled = catalog(n, true);
    const plainBytes = encodeShard(plain);
    const titledBytes = encodeShard(titled);
    const figures: BenchFigure[] = [];

    figures.push(
      await timed(`shard.encode.${size}`, `encodeShard, ${size} × 64 + titles`, () => encodeShard(titled), runs),
    );
    figures.push(
      await timed(`shard.decode.${size}`, `decodeShard, ${size} × 64 (incl. CRC)`, () => decodeShard(plainBytes), runs),
    );
    figures.push(
      await timed(
        `shard.decode-titles.${size}`,
        `decodeShard, ${size} × 64 + titles (incl. CRC, UTF-8 check)`,
        () => decodeShard(titledBytes),
        runs,
      ),
    );
    const shard = decodeShard(titledBytes);
    figures.push(
      await timed(
        `shard.meta-all.${size}`,
        `meta('title', i) for all ${size} items`,
        () => {
          let chars = 0;
          for (let i = 0; i < shard.count; i++) chars += shard.meta('title', i).length;
          return chars;
        },
        runs,
      ),
    );

    const crc = await measure(() => crc32(titledBytes), { runs: 30, warmup: 5 });
    figures.push({
      key: 'shard.crc32',
      label: `crc32 over ${(titledBytes.length / 1e6).toFixed(1)} MB`,
      value: titledBytes.length / 1e6 / (crc.median / 1000),
      unit: 'MB/s',
      note: 'slice-by-8',
    });

    figures.push({
      key: 'shard.bytes-per-item',
      label: `bytes per item, ${size} × 64, no metadata`,
      value: plainBytes.length / n,
      unit: 'B/item',
      note: 'u32 id + f32 scale + 64 int8 + 4 × u16, header included',
    });
    figures.push({
      key: 'shard.bytes-per-item-titles',
      label: `bytes per item, ${size} × 64, with titles`,
      value: titledBytes.length / n,
      unit: 'B/item',
      note: 'short UTF-8 titles: 4-byte offset + bytes',
    });
    return figures;
  },
};
