export { Catalog } from './catalog.ts';
export type { ItemRef } from './catalog.ts';
export { FEED_DEFAULTS } from './defaults.ts';
export { FeedNotReadyError } from './errors.ts';
export { FeedService } from './feed-service.ts';
