/** Dropping old events on a schedule (ServerOptions.retention). */
export { registerEventRetention } from './event-retention.ts';
