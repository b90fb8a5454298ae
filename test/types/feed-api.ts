// Type tests, checked by `npm run typecheck` (tsconfig.web.json), in idb's style: a wrong type
// fails the build, there is nothing to run. The page's Feed is the worker's FeedWorkerApi
// without init (createFeed runs it) and with close (which stops the worker).
import type { Feed } from '../../src/client/index.ts';
import type { FeedWorkerApi } from '../../src/core/feed/index.ts';

/** True when A and B are the same type (not merely assignable either way). */
export type IsExact<A, B> = (<G>() => G extends Flat<A> ? 1 : 2) extends <G>() => G extends Flat<B> ? 1 : 2 ? true : false;
/** An intersection or interface as one object type, so that equal shapes compare equal. */
type Flat<T> = { [K in keyof T]: T[K] };

export function typeAssert<T extends true>(): T | undefined {
  return undefined;
}

typeAssert<IsExact<Feed, Omit<FeedWorkerApi, 'init'> & { close(): void }>>();
