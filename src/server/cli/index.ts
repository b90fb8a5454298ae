export { SERVE_USAGE, ServeOptionError, parseServeArgs } from './serve-args.ts';
export type { ServeArgs } from './serve-args.ts';
export { loadOrCreateSecretKey, secretKeyFile } from './secret-key-file.ts';
export { serverOptionsOf, tokenSecretFile } from './server-options.ts';
