/**
 * The one serve path of `ondeck serve` and `ondeck start`: the secret keys (from the environment,
 * else files beside the database, made on first use), the feature store, the server, then
 * serving until SIGINT/SIGTERM. stdout carries `ondeck serve: listening on http://HOST:PORT`
 * (scripts and tests wait for it and parse the URL); everything else goes to stderr.
 */
import { resolve } from 'node:path';
import { OndeckError } from '../core/errors.ts';
import { loadOrCreateSecretKey, secretKeyFile, serverOptionsOf, tokenSecretFile, type ServeArgs } from '../server/cli/index.ts';
import { openStore, startServer, type FeatureStore, type RunningServer } from '../server/index.ts';
import { untilSignal } from './until-signal.ts';

export interface RunServerOptions {
  /** What messages start with: `ondeck <command>:`. */
  command: 'serve' | 'start';
  /** Lines for the terminal once listening (the demo's links), after the listening line. */
  banner?: (url: string) => string;
}

/** Serves until a signal; the exit code: 0 after a clean stop, 1 or 2 when it could not start. */
export async function runServer(args: ServeArgs, o: RunServerOptions): Promise<number> {
  const say = (line: string) => console.error(`ondeck ${o.command}: ${line}`);
  let secretKey = args.secretKey;
  if (secretKey === undefined) {
    const file = resolve(secretKeyFile(args.db!));
    const { key, created } = loadOrCreateSecretKey(file);
    secretKey = key;
    say(`${created ? 'generated a secret key' : 'secret key'} in ${file} (mode 0600; for GET /v1/export/events: Authorization: Key <it>; set ONDECK_SECRET_KEY to use your own)`);
  }
  // Device tokens are signed with a secret of their own (kept beside the database like the
  // secret key); with Postgres, servers share it through ONDECK_TOKEN_SECRET.
  let tokenSecret = args.tokenSecret;
  if (tokenSecret === undefined && args.db !== undefined) {
    const file = resolve(tokenSecretFile(args.db));
    const { key, created } = loadOrCreateSecretKey(file);
    tokenSecret = key;
    if (created) say(`generated the device-token signing key in ${file} (mode 0600; set ONDECK_TOKEN_SECRET to use your own)`);
  }
  if (tokenSecret === undefined) say('ONDECK_TOKEN_SECRET is not set: device tokens are signed with a key derived from ONDECK_SECRET_KEY');
  if (args.releaseDir === undefined) say('no release folder (models/ has no manifest.json); release routes answer 404 until you pass --release');

  let store: FeatureStore;
  try {
    store = await openStore(args.postgres !== undefined ? { postgres: args.postgres } : { db: args.db! });
  } catch (err) {
    say(`cannot open the feature store: ${(err as Error).message}`);
    return 1;
  }
  let server: RunningServer;
  try {
    server = await startServer(serverOptionsOf(args, { store, secretKey, tokenSecret }));
  } catch (err) {
    await store.close();
    say(`cannot listen on ${args.host}:${args.port}: ${(err as Error).message}`);
    return err instanceof OndeckError ? 2 : 1;
  }
  console.log(`ondeck serve: listening on ${server.url}`);
  if (o.banner) console.log(o.banner(server.url));

  await untilSignal(o.command, async () => {
    await server.close();
    await store.close();
  });
  return 0;
}
