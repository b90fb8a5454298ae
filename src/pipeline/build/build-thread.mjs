// The entry of a build's worker threads (build-thread.ts). A thread starts without the parent's
// TypeScript loader, so it registers tsx, as src/cli/ondeck.mjs does, then runs the job.
import { register } from 'tsx/esm/api';

register();
await import('./build-thread-job.ts');
