export { createFeed } from './create-feed.ts';
export type { Feed } from './create-feed.ts';
export type { BackendChoice, FeedItem, FeedOptions, FeedStatus, TrackEvent } from '../core/feed/index.ts';
