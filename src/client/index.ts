export { createFeed } from './create-feed.ts';
export type { Feed } from './create-feed.ts';
export type { OndeckErrorName } from '../core/errors.ts';
export type { BackendChoice, FeedItem, FeedOptions, FeedStatus, SyncOptions, TrackEvent, WasmPaths } from '../core/feed/index.ts';
export { defineOndeckFeed, feedOptionsFromAttributes } from './ondeck-feed.ts';
export type { OndeckFeedElement, OndeckFeedErrorDetail } from './ondeck-feed.ts';
export { ONDECK_FEED_DEFAULTS, ONDECK_FEED_EVENTS } from './ondeck-feed-defaults.ts';
