export { TokenBuckets } from './token-bucket.ts';
export type { BucketLimit } from './token-bucket.ts';
