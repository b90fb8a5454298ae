export { addressKey } from './address-key.ts';
export { DailyQuota } from './daily-quota.ts';
export { TokenBuckets } from './token-bucket.ts';
export type { BucketLimit } from './token-bucket.ts';
