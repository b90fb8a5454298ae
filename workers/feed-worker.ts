/**
 * The feed worker's entry: exposes a FeedService over comlink. Loaded by src/client with
 * `new Worker(new URL('../../workers/feed-worker.ts', import.meta.url), { type: 'module' })`.
 * Errors cross with their fields (feed/error-transfer.ts).
 */
import * as Comlink from 'comlink';
import { FeedService, keepErrorFields } from './feed/index.ts';

keepErrorFields();
Comlink.expose(new FeedService());
