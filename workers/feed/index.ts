export { keepErrorFields } from './error-transfer.ts';
export { FeedService } from './feed-service.ts';
