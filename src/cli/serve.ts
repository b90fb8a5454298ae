/**
 * `ondeck serve`: opens the feature store, serves releases and events until SIGINT/SIGTERM.
 * stdout carries exactly one line, `ondeck serve: listening on http://HOST:PORT` (scripts and
 * tests wait for it and parse the URL); everything else goes to stderr.
 */
import { resolve } from 'node:path';
import { OndeckError } from '../core/errors.ts';
import { SERVE_USAGE, ServeOptionError, loadOrCreateSecretKey, parseServeArgs, secretKeyFile, serverOptionsOf, tokenSecretFile } from '../server/cli/index.ts';
import { openStore, startServer, type FeatureStore, type RunningServer } from '../server/index.ts';
import { untilSignal } from './until-signal.ts';

export async function serveCommand(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseServeArgs(argv, process.env);
  } catch (err) {
    if (err instanceof ServeOptionError) {
      console.error(`ondeck serve: ${err.message}\n\n${SERVE_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    console.log(SERVE_USAGE);
    return 0;
  }

  let secretKey = args.secretKey;
  if (secretKey === undefined) {
    const file = resolve(secretKeyFile(args.db!));
    const { key, created } = loadOrCreateSecretKey(file);
    secretKey = key;
    console.error(`ondeck serve: ${created ? 'generated a secret key' : 'secret key'} in ${file} (mode 0600; set ONDECK_SECRET_KEY to use your own)`);
  }
  // Device tokens are signed with a secret of their own (kept beside the database like the
  // secret key); with Postgres, servers share it through ONDECK_TOKEN_SECRET.
  let tokenSecret = args.tokenSecret;
  if (tokenSecret === undefined && args.db !== undefined) {
    const file = resolve(tokenSecretFile(args.db));
    const { key, created } = loadOrCreateSecretKey(file);
    tokenSecret = key;
    if (created) console.error(`ondeck serve: generated the device-token signing key in ${file} (mode 0600; set ONDECK_TOKEN_SECRET to use your own)`);
  }
  if (tokenSecret === undefined) console.error('ondeck serve: ONDECK_TOKEN_SECRET is not set: device tokens are signed with a key derived from ONDECK_SECRET_KEY');
  if (args.releaseDir === undefined) console.error('ondeck serve: no release folder (models/ has no manifest.json); release routes answer 404 until you pass --release');

  let store: FeatureStore;
  try {
    store = await openStore(args.postgres !== undefined ? { postgres: args.postgres } : { db: args.db! });
  } catch (err) {
    console.error(`ondeck serve: cannot open the feature store: ${(err as Error).message}`);
    return 1;
  }

  const options = serverOptionsOf(args, { store, secretKey, tokenSecret });
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (err) {
    await store.close();
    console.error(`ondeck serve: cannot listen on ${args.host}:${args.port}: ${(err as Error).message}`);
    return err instanceof OndeckError ? 2 : 1;
  }
  console.log(`ondeck serve: listening on ${server.url}`);

  await untilSignal('serve', async () => {
    await server.close();
    await store.close();
  });
  return 0;
}
