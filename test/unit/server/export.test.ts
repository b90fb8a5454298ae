import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEventsExport } from '../../../src/pipeline/data/index.ts';
import { T0, events, keyAuth, postEvents, pseudonymous, tempDir, testServer } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-export-');
afterAll(() => tmp.remove());

describe('GET /v1/export/events', () => {
  it('pages JSON Lines that `ondeck build --dataset events` reads back with the same counts', async () => {
    const s = await testServer();
    // 3 installs x 40 events; watch events carry 30 s at fraction 0.25 (a 120 s item).
    for (const install of ['u1', 'u2', 'u3']) {
      expect((await postEvents(s.app, pseudonymous(`batch-${install}-000`, events(40, T0), { installId: install }))).statusCode).toBe(200);
    }
    let after = 0;
    let text = '';
    let pages = 0;
    for (;;) {
      const r = await s.app.inject({ method: 'GET', url: `/v1/export/events?after=${after}&limit=50`, headers: keyAuth });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/x-ndjson/);
      text += r.body;
      pages++;
      after = Number(r.headers['x-ondeck-next-after']);
      if (r.headers['x-ondeck-more'] !== 'true') break;
      expect(r.headers.link).toContain(`after=${after}`);
    }
    expect(pages).toBe(3);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(120);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(lines[2]).toEqual({ seq: 3, install: 'u1', item: 'item-2', type: 'watch', at: T0 + 2000, watchSeconds: 30, watchFraction: 0.25, durationSeconds: 120 });

    const file = join(tmp.dir, 'export.jsonl');
    writeFileSync(file, text);
    const ds = loadEventsExport(file);
    expect(ds.interactions).toHaveLength(120);
    expect(new Set(ds.interactions.map((x) => x.user))).toEqual(new Set(['u1', 'u2', 'u3']));
    const byType = (t: string) => ds.interactions.filter((x) => x.type === t).length;
    expect([byType('impression'), byType('click'), byType('watch'), byType('like'), byType('skip')]).toEqual([24, 24, 24, 24, 24]);
    expect(ds.feedback).toBe('impressions');
    expect(ds.items.get('item-2')?.durationSeconds).toBe(120);
    expect(ds.interactions.find((x) => x.type === 'watch')?.watchFraction).toBe(0.25);
    await s.close();
  });

  it('filters by since (ms or ISO) and checks its parameters', async () => {
    const s = await testServer();
    await postEvents(s.app, pseudonymous('batch-since-01', events(10, T0)));
    const count = async (q: string) => (await s.app.inject({ method: 'GET', url: `/v1/export/events?${q}`, headers: keyAuth })).body.trim().split('\n').filter(Boolean).length;
    expect(await count(`since=${T0 + 4000}`)).toBe(6);
    expect(await count(`since=${new Date(T0 + 4000).toISOString()}`)).toBe(6);
    expect(await count('since=2030-01-01T00:00:00Z')).toBe(0);
    for (const [q, field] of [['since=yesterday', 'since'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['after=-1', 'after'], ['limit=100000000', 'limit']]) {
      const r = await s.app.inject({ method: 'GET', url: `/v1/export/events?${q}`, headers: keyAuth });
      expect(r.statusCode, q).toBe(400);
      expect(r.json(), q).toMatchObject({ error: 'ValidationError', field });
    }
    await s.close();
  });
});
