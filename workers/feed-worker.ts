/**
 * The feed worker's entry: exposes a FeedService over comlink. Loaded by src/client with
 * `new Worker(new URL('../../workers/feed-worker.ts', import.meta.url), { type: 'module' })`.
 */
import * as Comlink from 'comlink';
import { FeedService } from './feed/feed-service.ts';

Comlink.expose(new FeedService());
