// The entry of protocol (2)'s worker thread (global-protocol.ts). A thread starts without the
// parent's TypeScript loader, so it registers tsx, as src/cli/ondeck.mjs does, then runs the job.
import { register } from 'tsx/esm/api';

register();
await import('./global-protocol-job.ts');
