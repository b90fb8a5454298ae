// The history at scale on a real IndexedDB (a full log of 1000 events, 64-d vectors): counts,
// eviction at the bound and a whole-log re-embed stay right. Timings are printed for the record
// only: this machine is shared, so speed is for the benchmarks, not for assertions.
import { afterAll, describe, expect, it } from 'vitest';
import { openHistory } from '../../workers/history/index.ts';
import type { HistoryStore } from '../../workers/history/index.ts';
import type { ItemInput } from '../../workers/history/snapshot.ts';

const DIM = 64;
const N = 1000;

function item(i: number, releaseId = 'r1'): ItemInput {
  const embedding = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) embedding[j] = Math.sin(i * 31 + j);
  return { record: { id: `item-${i % 300}`, categories: ['Comedy', 'Drama'], durationSeconds: 600, created: 1.7e12, popularity: i / N }, embedding, releaseId };
}

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]! };
}

async function time<T>(runs: number, f: () => Promise<T>): Promise<{ median: number; p95: number }> {
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

let history: HistoryStore | undefined;
afterAll(async () => {
  await history?.forget();
});

describe('history timings', () => {
  it('keeps counts, eviction and re-embedding right on a full log', async () => {
    history = await openHistory({ name: `history-timings-${crypto.randomUUID()}`, maxEvents: N });
    const h = history;
    const types = ['impression', 'impression', 'impression', 'click', 'watch'] as const;
    const event = (i: number) => ({ type: types[i % 5]!, itemId: `item-${i % 300}`, ...(i % 5 === 4 ? { watchSeconds: 120 } : {}) });

    const t0 = performance.now();
    for (let i = 0; i < N; i++) await h.append(event(i), item(i));
    const fillMs = performance.now() - t0;
    expect(await h.count()).toBe(N);

    let i = N;
    // At the bound every append also evicts the oldest event.
    const append = await time(200, () => h.append(event(i), item(i++)));
    expect(await h.count()).toBe(N);
    const recent = await time(20, () => h.recent(500));
    expect((await h.recent(500)).length).toBe(500);
    const recent50 = await time(20, () => h.recent(50));
    const entries = await time(20, () => h.historyEntries(500));
    const seen = await time(10, () => h.seen());
    expect((await h.seen()).size).toBe(300);
    const count = await time(20, () => h.count());
    const t1 = performance.now();
    const result = await h.reembed('r2', (id) => {
      const k = Number(id.slice(5));
      return k % 10 === 0 ? null : item(k, 'r2');
    });
    const reembedMs = performance.now() - t1;
    expect(result.updated + result.staled).toBe(N);

    const report = {
      fillAppendsMs: Math.round(fillMs),
      appendAtBoundMs: append,
      recent500Ms: recent,
      recent50Ms: recent50,
      historyEntries500Ms: entries,
      seenMs: seen,
      countMs: count,
      reembedMs: Math.round(reembedMs),
    };
    console.log('history timings', JSON.stringify(report));
  }, 180_000);
});
