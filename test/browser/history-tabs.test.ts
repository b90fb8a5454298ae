// Tabs for real: each "tab" is a module worker with its own thread, event loop and IndexedDB
// connection, running the same store code as the page (served by the test server). What two
// HistoryStore instances in one page show, holds across threads too.
import { afterEach, describe, expect, it } from 'vitest';
import { openHistory } from '../../workers/history/index.ts';
import { HISTORY_DB_VERSION } from '../../workers/history/migrations.ts';
import type { HistoryStore } from '../../workers/history/index.ts';

const MODULE_URL = new URL('../../workers/history/index.ts', import.meta.url).href;

/** Commands a tab understands; each is answered with one message. */
type Command = { op: 'append'; tag: string; n: number } | { op: 'count' } | { op: 'close' };

/** A worker that opens the history `name` and runs commands on it. */
function startTab(name: string): { run(command: Command): Promise<number>; stop(): void } {
  const source = `
    const { openHistory } = await import(${JSON.stringify(MODULE_URL)});
    const history = await openHistory({ name: ${JSON.stringify(name)} });
    onmessage = async ({ data }) => {
      try {
        if (data.op === 'append') {
          for (let i = 0; i < data.n; i++) await history.append({ type: 'impression', itemId: data.tag + i }, null);
          postMessage({ ok: data.n });
        } else if (data.op === 'count') postMessage({ ok: await history.count() });
        else { await history.close(); postMessage({ ok: 0 }); }
      } catch (e) { postMessage({ error: e.name + ': ' + e.message }); }
    };
    postMessage({ ok: 'ready' });`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  const replies: ((data: { ok?: number; error?: string }) => void)[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(e.message));
    replies.push(() => resolve());
  });
  worker.onmessage = ({ data }) => replies.shift()?.(data);
  return {
    async run(command) {
      await ready;
      const reply = await new Promise<{ ok?: number; error?: string }>((resolve) => {
        replies.push(resolve);
        worker.postMessage(command);
      });
      if (reply.error) throw new Error(reply.error);
      return reply.ok!;
    },
    stop() {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function page(name: string): Promise<HistoryStore> {
  const history = await openHistory({ name });
  cleanup.push(() => history.forget());
  return history;
}

describe('history across threads', () => {
  it('keeps every event of three concurrent writers (two worker tabs and the page)', async () => {
    const name = `history-tabs-${crypto.randomUUID()}`;
    const history = await page(name);
    const tabs = [startTab(name), startTab(name)];
    for (const tab of tabs) cleanup.push(() => tab.stop());

    const writePage = async () => {
      for (let i = 0; i < 200; i++) await history.append({ type: 'impression', itemId: `p${i}` }, null);
    };
    await Promise.all([tabs[0]!.run({ op: 'append', tag: 'a', n: 200 }), tabs[1]!.run({ op: 'append', tag: 'b', n: 200 }), writePage()]);

    expect(await history.count()).toBe(600);
    expect(await tabs[0]!.run({ op: 'count' })).toBe(600);
    const all = await history.recent(1000);
    const seqs = all.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    for (const tag of ['a', 'b', 'p']) {
      const mine = all.filter((e) => e.itemId[0] === tag).map((e) => Number(e.itemId.slice(1)));
      expect(mine).toEqual(Array.from({ length: 200 }, (_, i) => i));
    }
    expect((await history.seen()).size).toBe(600);
  });

  it('lets the page forget while worker tabs hold connections; they go on with an empty history', async () => {
    const name = `history-tabs-${crypto.randomUUID()}`;
    const blocked: unknown[] = [];
    const history = await openHistory({ name, onBlocked: (info) => blocked.push(info) });
    cleanup.push(() => history.forget());
    const tab = startTab(name);
    cleanup.push(() => tab.stop());
    await tab.run({ op: 'append', tag: 'w', n: 5 });
    expect(await history.count()).toBe(5);

    await history.forget();
    // A tab in another thread closes on versionchange, but its close reaches the browser after
    // the browser looked: `blocked` may fire once, transiently, and the delete still completes.
    for (const info of blocked) expect(info).toEqual({ operation: 'forget', currentVersion: HISTORY_DB_VERSION, requestedVersion: null });
    expect(await tab.run({ op: 'count' })).toBe(0);
    await tab.run({ op: 'append', tag: 'x', n: 2 });
    expect((await history.recent(10)).map((e) => e.itemId)).toEqual(['x0', 'x1']);
  });
});
