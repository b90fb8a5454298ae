// The loop a user sees: watch and like items of one category, and the next feed (ranked on the
// device from the IndexedDB history) shows more of it. Categories are read from the release's
// shards in Node with the device's own decoder, so the test knows them without trusting the page.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OndeckFeedElement } from '../../src/client/index.ts';
import {
  cardIds,
  launch,
  like,
  newPage,
  releaseCategories,
  screenshot,
  settle,
  startDemo,
  syncAll,
  waitForCards,
  watch,
  type Demo,
} from './harness.ts';

/** Items of the target category the user watches (to 90%) and likes. */
const INTERACTIONS = 8;
const PAGE = 20;

describe('personalisation in the demo app', () => {
  let demo: Demo;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await startDemo({ appDir: inject('e2eAppDir'), releaseDir: inject('e2eReleaseDir') });
    browser = await launch();
    ({ context, page, errors } = await newPage(browser));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await demo?.close();
  });

  it("after interactions in one category, that category's share of the next feed rises", async () => {
    const categories = releaseCategories(inject('e2eReleaseDir'));
    const all = [...new Set([...categories.values()].flat())].sort();
    const share = (ids: readonly string[], c: string) => ids.filter((id) => categories.get(id)?.includes(c)).length / ids.length;

    // The demo app with a fast simulated player; events synced as they are (pseudonymous), so
    // the server's counts can be checked exactly below. The default mode (aggregate counters
    // with local-DP noise) is pinned by test/browser/privacy-defaults.test.ts.
    await page.goto(`${demo.url}/?sync-mode=pseudonymous&playback-rate=5000`);
    const before = (await waitForCards(page, PAGE)).slice(0, PAGE);
    // The category this new user's feed shows least (alphabetical on a tie): the hardest to raise.
    const target = [...all].sort((a, b) => share(before, a) - share(before, b) || a.localeCompare(b))[0]!;

    // Scroll for more pages until there are enough items of it to interact with.
    let targets: string[] = [];
    for (let pages = 0; pages < 10; pages++) {
      targets = (await cardIds(page)).filter((id) => categories.get(id)?.includes(target));
      if (targets.length >= INTERACTIONS) break;
      await page.evaluate(() => document.querySelector<OndeckFeedElement>('ondeck-feed')!.loadMore());
    }
    expect(targets.length).toBeGreaterThanOrEqual(INTERACTIONS);
    for (const id of targets.slice(0, INTERACTIONS)) {
      await page.locator(`[data-ondeck-item="${id}"]`).scrollIntoViewIfNeeded();
      await watch(page, id, 0.9);
      await like(page, id);
    }
    await settle(page);

    // The next feed: a fresh page load ranks from the history in IndexedDB.
    await page.reload();
    const after = (await waitForCards(page, PAGE)).slice(0, PAGE);
    await screenshot(page, 'feed-personalised');
    const shares = Object.fromEntries(all.map((c) => [c, { before: share(before, c), after: share(after, c) }]));
    console.log(`5. target category ${target}: share of the first ${PAGE} items ${share(before, target).toFixed(2)} -> ${share(after, target).toFixed(2)} after ${INTERACTIONS} watched and liked items`);
    console.table(shares);
    expect(share(after, target)).toBeGreaterThan(share(before, target));
    // Nothing acted on comes back.
    expect(after.filter((id) => targets.slice(0, INTERACTIONS).includes(id))).toEqual([]);

    // Sync brought the events to the server: every watch and click, once.
    await syncAll(page);
    const home = (await demo.metrics()).feeds.find((f) => f.feed === 'home')!;
    expect(home.watches).toBe(INTERACTIONS);
    expect(home.clicks).toBe(INTERACTIONS);
    expect(errors).toEqual([]);
  });
});
