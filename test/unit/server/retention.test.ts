// Event retention (ServerOptions.retention, `ondeck serve --retention-days`): the server drops the
// events of old UTC days when it is ready and on its schedule, on every store it can run on, and
// keeps the day counters. Bad settings are refused naming the option.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PseudonymousBatch } from '../../../src/core/sync/wire.ts';
import { parseServeArgs } from '../../../src/server/cli/index.ts';
import { createServer } from '../../../src/server/create-server.ts';
import { openSqliteStore } from '../../../src/server/store/index.ts';
import type { FeatureStore } from '../../../src/server/store/types.ts';
import { storePlaces, type StorePlace } from '../../support/store-places.ts';
import { DAY, SECRET, T0 } from '../../support/server-app.ts';

const HOUR = 3_600_000;

/** One impression of `item` at each time, from install inst-r. */
function batch(batchId: string, ats: Array<[string, number]>): PseudonymousBatch {
  return {
    mode: 'pseudonymous',
    batchId,
    installId: 'inst-r',
    releaseId: null,
    feed: 'home',
    events: ats.map(([itemId, at]) => ({ type: 'impression' as const, itemId, at })),
  };
}

async function itemsLeft(store: FeatureStore): Promise<string[]> {
  return (await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 })).map((e) => e.item).sort();
}

describe('retention options', () => {
  it('refuses a retention that is no whole number of days >= 1, or a bad interval, naming the option', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const make = (retention: unknown) => () => createServer({ store, secretKey: SECRET, retention: retention as { eventDays: number } });
      for (const eventDays of [0, -1, 1.5, Number.NaN, '7', 10_001]) {
        expect(make({ eventDays }), String(eventDays)).toThrow(expect.objectContaining({ name: 'ServerConfigError', option: 'retention.eventDays' }));
      }
      for (const everyMs of [0, -5, Number.POSITIVE_INFINITY, 2 ** 31]) {
        expect(make({ eventDays: 7, everyMs }), String(everyMs)).toThrow(expect.objectContaining({ name: 'ServerConfigError', option: 'retention.everyMs' }));
      }
      expect(make(7)).toThrow(expect.objectContaining({ name: 'ServerConfigError', option: 'retention' }));
    } finally {
      await store.close();
    }
  });

  it('takes --retention-days as a whole number of days', () => {
    expect(parseServeArgs(['--retention-days', '30'], {}).retentionDays).toBe(30);
    expect(parseServeArgs([], {}).retentionDays).toBeUndefined();
    for (const bad of ['0', '1.5', 'week', '', '-3']) {
      expect(() => parseServeArgs(['--retention-days', bad], {}), bad).toThrow(expect.objectContaining({ name: 'ServeOptionError', flag: '--retention-days' }));
    }
  });
});

describe.each(storePlaces('retention'))('retention on %s', (_name, makePlace) => {
  let place: StorePlace | null = null;
  afterEach(async () => {
    await place?.dispose();
    place = null;
  });

  it('drops the events of days before the limit when ready and on schedule, and keeps the day counters', async () => {
    place = await makePlace();
    const store = await place.open();
    // T0 is 2026-11-20 12:00 UTC. With 3 days kept, the first sweep (clock at T0) drops days
    // before 2026-11-17: the events of 11-10 and 11-16 go, 11-17 (at 00:30) and 11-20 stay.
    await store.ingest(
      batch('batch-ret-001', [
        ['old-10', T0 - 10 * DAY],
        ['old-4', T0 - 4 * DAY],
        ['edge-3', T0 - 3 * DAY - 11.5 * HOUR],
        ['today', T0],
      ]),
      T0,
    );
    const clock = { now: T0 };
    const errors: unknown[] = [];
    const app = createServer({ store, secretKey: SECRET, now: () => clock.now, retention: { eventDays: 3, everyMs: 25 }, onInternalError: (e) => errors.push(e) });
    try {
      await app.ready();
      await vi.waitFor(async () => expect(await itemsLeft(store)).toEqual(['edge-3', 'today']), { timeout: 50_000, interval: 20 });
      // Two days later the schedule (every 25 ms here) drops 2026-11-17 too.
      clock.now = T0 + 2 * DAY;
      await vi.waitFor(async () => expect(await itemsLeft(store)).toEqual(['today']), { timeout: 50_000, interval: 20 });
      // The day counters are the aggregate history: every day is still counted.
      expect((await store.dailyCounts({ since: T0 - 30 * DAY })).map((d) => [d.day, d.type, d.count])).toEqual([
        ['2026-11-10', 'impression', 1],
        ['2026-11-16', 'impression', 1],
        ['2026-11-17', 'impression', 1],
        ['2026-11-20', 'impression', 1],
      ]);
      expect(errors).toEqual([]);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('keeps every event when retention is not set', async () => {
    place = await makePlace();
    const store = await place.open();
    await store.ingest(batch('batch-ret-002', [['old-400', T0 - 400 * DAY], ['today', T0]]), T0);
    const app = createServer({ store, secretKey: SECRET, now: () => T0 });
    try {
      await app.ready();
      await new Promise((r) => setTimeout(r, 100));
      expect(await itemsLeft(store)).toEqual(['old-400', 'today']);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
