import { describe, expect, it } from 'vitest';
import { FEED_COMPOSITION, FEED_PAGE, type FeedOptions } from '../../../src/core/feed/index.ts';
import { DEFAULT_DATABASE_NAME } from '../../../workers/history/defaults.ts';
import { RANKING_DEFAULTS } from '../../../workers/ranking/defaults.ts';
import { resolveCount, resolveFeedOptions } from '../../../workers/feed/options.ts';

const release = '/v1/releases/latest';
const origin = 'https://app.example';

/** The name and field of the error `fn` throws. */
function fieldOf(fn: () => unknown): { name: string; field: unknown } {
  try {
    fn();
  } catch (err) {
    return { name: (err as Error).name, field: (err as { field?: unknown }).field };
  }
  throw new Error('did not throw');
}

describe('resolveFeedOptions', () => {
  it('fills every default', () => {
    const o = resolveFeedOptions({ release }, origin);
    expect(o).toEqual({
      release,
      releaseKey: undefined,
      allowUnsigned: false,
      artifactHosts: undefined,
      backend: 'auto',
      rankingProviders: RANKING_DEFAULTS.providers,
      deviceLostProviders: ['wasm', 'js'],
      candidates: FEED_COMPOSITION.candidates,
      database: DEFAULT_DATABASE_NAME,
      sync: null,
      scope: { mode: 'off', feed: 'default' },
      wasmPaths: undefined,
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('keeps what the page set', () => {
    const o = resolveFeedOptions(
      { release, releaseKey: 'k', allowUnsigned: true, artifactHosts: ['https://cdn.example'], backend: 'js', rankingProviders: ['wasm'], candidates: 300, database: 'mine', wasmPaths: '/ort/' },
      origin,
    );
    expect(o).toMatchObject({ releaseKey: 'k', allowUnsigned: true, artifactHosts: ['https://cdn.example'], backend: 'js', rankingProviders: ['wasm'], candidates: 300, database: 'mine', wasmPaths: '/ort/' });
  });

  it('gives a named feed its own database and records its events under its sync mode', () => {
    const o = resolveFeedOptions({ release, sync: { appKey: 'demo', feed: 'home', mode: 'pseudonymous' } }, origin);
    expect(o.database).toBe(`${DEFAULT_DATABASE_NAME}:home`);
    expect(o.scope).toEqual({ mode: 'pseudonymous', feed: 'home' });
    expect(o.sync).toEqual({ appKey: 'demo', feed: 'home', mode: 'pseudonymous' });
    // Sync on the default feed keeps the default database; an explicit database always wins.
    expect(resolveFeedOptions({ release, sync: { appKey: 'demo' } }, origin)).toMatchObject({ database: DEFAULT_DATABASE_NAME, scope: { mode: 'aggregate', feed: 'default' } });
    expect(resolveFeedOptions({ release, database: 'x', sync: { appKey: 'demo', feed: 'home' } }, origin).database).toBe('x');
  });

  it.each([Number.NaN, -5, 0, 2.5, Infinity, '300'])('refuses candidates = %s, naming the field', (candidates) => {
    expect(fieldOf(() => resolveFeedOptions({ release, candidates } as unknown as FeedOptions, origin))).toEqual({ name: 'ValidationError', field: 'candidates' });
  });

  it('refuses a missing release, an unknown backend, bad providers, an empty database and bad sync options, each by field', () => {
    expect(fieldOf(() => resolveFeedOptions({} as FeedOptions, origin))).toEqual({ name: 'ValidationError', field: 'release' });
    expect(fieldOf(() => resolveFeedOptions(null as unknown as FeedOptions, origin))).toEqual({ name: 'ValidationError', field: 'options' });
    expect(fieldOf(() => resolveFeedOptions({ release, backend: 'gpu' } as unknown as FeedOptions, origin))).toEqual({ name: 'UnknownBackendError', field: 'backend' });
    expect(fieldOf(() => resolveFeedOptions({ release, rankingProviders: ['cuda'] } as unknown as FeedOptions, origin))).toEqual({ name: 'ValidationError', field: 'rankingProviders[0]' });
    expect(fieldOf(() => resolveFeedOptions({ release, rankingProviders: [] }, origin))).toEqual({ name: 'ValidationError', field: 'rankingProviders' });
    expect(fieldOf(() => resolveFeedOptions({ release, rankingProviders: 'wasm' } as unknown as FeedOptions, origin))).toEqual({ name: 'ValidationError', field: 'rankingProviders' });
    expect(fieldOf(() => resolveFeedOptions({ release, database: '' }, origin))).toEqual({ name: 'ValidationError', field: 'database' });
    expect(fieldOf(() => resolveFeedOptions({ release, sync: { appKey: '' } }, origin))).toEqual({ name: 'ValidationError', field: 'sync.appKey' });
  });
});

describe('resolveCount', () => {
  it('defaults to the page size and accepts 1 to the maximum', () => {
    expect(resolveCount(undefined)).toBe(FEED_PAGE.count);
    expect(resolveCount(1)).toBe(1);
    expect(resolveCount(FEED_PAGE.maxCount)).toBe(FEED_PAGE.maxCount);
  });

  it.each([0, -1, 1.5, Number.NaN, FEED_PAGE.maxCount + 1])('refuses count = %s, naming the field', (count) => {
    expect(fieldOf(() => resolveCount(count))).toEqual({ name: 'ValidationError', field: 'count' });
  });
});
