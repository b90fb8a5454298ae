/** `ondeck serve` flags and environment, checked; a bad one is a ServeOptionError naming it. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OndeckError } from '../../core/errors.ts';
import { SERVER_DEFAULTS } from '../defaults.ts';

export const SERVE_USAGE = `Usage: ondeck serve [options]

Serves releases (GET /v1/releases/latest, /v1/artifacts/...) and the feature store
(POST /v1/events, GET /v1/items/features, /v1/export/events, /v1/metrics, /metrics).

Options:
  --release DIR      release folder (manifest.json, artifacts/); default: models, if it holds a manifest
  --db FILE          SQLite feature store; default: models/feature-store.sqlite
  --postgres URL     Postgres feature store instead (postgres://user:pass@host:5432/db)
  --port N           port, 0 picks a free one; default ${SERVER_DEFAULTS.port}
  --host HOST        address to listen on; default ${SERVER_DEFAULTS.host}
  --app DIR          a built app to serve at / (e.g. dist/app)
  --rate-ip N        requests per second per address for device writes; 0 turns it off
  --rate-token N     requests per second per device token; 0 turns it off
  -h, --help         this text

Environment:
  ONDECK_SECRET_KEY       server-to-server key (Authorization: Key ...); default: generated once
                          and kept in <db>.secret (required with --postgres)
  ONDECK_APP_KEYS         public app keys for POST /v1/tokens, comma-separated; default: demo
  ONDECK_ALLOWED_ORIGINS  CORS origins, comma-separated, "*" for any; default: this server's
                          origin, http://localhost:* and http://127.0.0.1:*`;

export class ServeOptionError extends OndeckError {
  override name = 'ServeOptionError';
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(`${flag}: ${message}`);
    this.flag = flag;
  }
}

export interface ServeArgs {
  help: boolean;
  releaseDir: string | undefined;
  db: string | undefined;
  postgres: string | undefined;
  port: number;
  host: string;
  appDir: string | undefined;
  rateIp: number | undefined;
  rateToken: number | undefined;
  secretKey: string | undefined;
  appKeys: string[];
  allowedOrigins: string[] | '*' | undefined;
}

const DEFAULT_RELEASE = 'models';
export const DEFAULT_DB = 'models/feature-store.sqlite';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function rate(flag: string, value: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < 0) throw new ServeOptionError(flag, `expected a number of requests per second >= 0 (0 = off), got "${value}"`);
  return n;
}

export function parseServeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServeArgs {
  const flags = new Map<string, string>();
  let help = false;
  const known = ['--release', '--db', '--postgres', '--port', '--host', '--app', '--rate-ip', '--rate-token'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.includes(name)) throw new ServeOptionError(name, `unknown option; the options are ${known.join(', ')}, --help`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new ServeOptionError(name, 'needs a value');
    if (flags.has(name)) throw new ServeOptionError(name, 'given twice');
    flags.set(name, value);
  }

  const portText = flags.get('--port');
  const port = portText === undefined ? SERVER_DEFAULTS.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || portText === '') {
    throw new ServeOptionError('--port', `expected an integer from 0 to 65535, got "${portText}"`);
  }
  const host = flags.get('--host') ?? SERVER_DEFAULTS.host;
  if (host === '') throw new ServeOptionError('--host', 'must not be empty');

  const postgres = flags.get('--postgres');
  let db = flags.get('--db');
  if (postgres !== undefined && db !== undefined) throw new ServeOptionError('--postgres', 'give either --db or --postgres, not both');
  if (postgres !== undefined && !/^postgres(ql)?:\/\//.test(postgres)) throw new ServeOptionError('--postgres', `expected a postgres:// URL, got "${postgres}"`);
  if (postgres === undefined) db ??= DEFAULT_DB;

  let releaseDir = flags.get('--release');
  if (releaseDir !== undefined && !isDir(releaseDir)) throw new ServeOptionError('--release', `"${releaseDir}" is not a folder`);
  if (releaseDir === undefined && existsSync(join(DEFAULT_RELEASE, 'manifest.json'))) releaseDir = DEFAULT_RELEASE;

  const appDir = flags.get('--app');
  if (appDir !== undefined && !existsSync(join(appDir, 'index.html'))) throw new ServeOptionError('--app', `"${appDir}" holds no index.html (build the app first)`);

  const rateIpText = flags.get('--rate-ip');
  const rateTokenText = flags.get('--rate-token');

  const secretKey = env.ONDECK_SECRET_KEY;
  if (secretKey !== undefined && secretKey.length < 16) throw new ServeOptionError('ONDECK_SECRET_KEY', 'must be at least 16 characters');
  if (postgres !== undefined && secretKey === undefined) {
    throw new ServeOptionError('--postgres', 'set ONDECK_SECRET_KEY: servers sharing a database must share the key that signs device tokens');
  }
  const appKeys = (env.ONDECK_APP_KEYS ?? 'demo').split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (appKeys.length === 0) throw new ServeOptionError('ONDECK_APP_KEYS', 'names no app key');
  const originsText = env.ONDECK_ALLOWED_ORIGINS?.trim();
  const allowedOrigins = originsText === undefined || originsText === '' ? undefined : originsText === '*' ? '*' : originsText.split(',').map((o) => o.trim()).filter((o) => o !== '');

  return {
    help,
    releaseDir,
    db,
    postgres,
    port,
    host,
    appDir,
    rateIp: rateIpText === undefined ? undefined : rate('--rate-ip', rateIpText),
    rateToken: rateTokenText === undefined ? undefined : rate('--rate-token', rateTokenText),
    secretKey,
    appKeys,
    allowedOrigins,
  };
}
