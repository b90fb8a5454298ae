// Entry of the SQLite store's writer thread (threaded-store.ts). The project ships TypeScript
// sources; a worker thread does not inherit the parent's loader hooks, so tsx is registered here
// before the store is loaded, as src/cli/ondeck.mjs does for the command.
import { register } from 'tsx/esm/api';

register();
await import('./store-thread.ts');
