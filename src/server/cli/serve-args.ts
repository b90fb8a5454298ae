/** `ondeck serve` flags and environment, checked; a bad one is a ServeOptionError naming it. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OndeckError } from '../../core/errors.ts';
import { DEMO_APP_KEY, SERVER_DEFAULTS } from '../defaults.ts';
import { isLoopbackHost } from '../start-server.ts';

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
  --rate-token-issue N  new device tokens per second per address (devices take one per batch);
                     0 turns it off; default ${SERVER_DEFAULTS.rateLimit.tokenIssue.perSecond}, ${SERVER_DEFAULTS.rateLimit.tokenIssue.burst} at once
  --quota-app N      rows (events, counter rows) stored per app key per UTC day; 0 turns it off;
                     default ${SERVER_DEFAULTS.quotas.perAppPerDay}
  --quota-ip N       rows stored per client address (IPv6: per /64) per UTC day; 0 turns it off;
                     default ${SERVER_DEFAULTS.quotas.perAddressPerDay}
  --request-timeout S  seconds a request (headers and body) may take; default ${SERVER_DEFAULTS.timeouts.requestMs / 1000}
  --retention-days N  drop pseudonymous events of UTC days more than N days before today, at
                     start and hourly (day counters are kept); default: keep events forever
  --trust-proxy P    behind a reverse proxy: the proxies' addresses or CIDRs, comma-separated
                     (e.g. 127.0.0.1,10.0.0.0/8), or their number of hops; off by default
                     (X-Forwarded-For is never believed unless this is set)
  -h, --help         this text

Environment:
  ONDECK_SECRET_KEY       server-to-server key (Authorization: Key ...); default: generated once
                          and kept in <db>.secret (required with --postgres)
  ONDECK_TOKEN_SECRET     signs device tokens, a secret apart from ONDECK_SECRET_KEY; default:
                          generated once and kept in <db>.token-secret (with --postgres: set it
                          on every server, or tokens are signed with a key derived from the secret key)
  ONDECK_APP_KEYS         public app keys for POST /v1/tokens, comma-separated; required unless
                          --host is loopback, where the default is the public "demo" key
  ONDECK_ALLOWED_ORIGINS  CORS origins, comma-separated, "*" for any; default: this server's
                          origin, http://localhost:* and http://127.0.0.1:*
  ONDECK_ALLOWED_HOSTS    Host header values answered (name, name:port, *.domain), comma-separated;
                          default: loopback names on a loopback --host, any host otherwise`;

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
  rateTokenIssue: number | undefined;
  quotaApp: number | undefined;
  quotaIp: number | undefined;
  requestTimeoutMs: number | undefined;
  trustProxy: number | string[] | undefined;
  retentionDays: number | undefined;
  secretKey: string | undefined;
  tokenSecret: string | undefined;
  allowedHosts: string[] | '*' | undefined;
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

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new ServeOptionError(flag, `expected a whole number of rows >= 0 (0 = off), got "${value}"`);
  return n;
}

export function parseServeArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServeArgs {
  const flags = new Map<string, string>();
  let help = false;
  const known = ['--release', '--db', '--postgres', '--port', '--host', '--app', '--rate-ip', '--rate-token', '--rate-token-issue', '--quota-app', '--quota-ip', '--request-timeout', '--trust-proxy', '--retention-days'];
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
  const rateTokenIssueText = flags.get('--rate-token-issue');

  const secretKey = env.ONDECK_SECRET_KEY;
  if (secretKey !== undefined && secretKey.length < 16) throw new ServeOptionError('ONDECK_SECRET_KEY', 'must be at least 16 characters');
  if (postgres !== undefined && secretKey === undefined) {
    throw new ServeOptionError('--postgres', 'set ONDECK_SECRET_KEY: servers sharing a database must share the key that signs device tokens');
  }
  const tokenSecret = env.ONDECK_TOKEN_SECRET;
  if (tokenSecret !== undefined && tokenSecret.length < 16) throw new ServeOptionError('ONDECK_TOKEN_SECRET', 'must be at least 16 characters');
  if (tokenSecret !== undefined && tokenSecret === secretKey) throw new ServeOptionError('ONDECK_TOKEN_SECRET', 'must differ from ONDECK_SECRET_KEY');
  // The demo key is public: only a server nobody else can reach may take it, and only by default.
  const loopback = isLoopbackHost(host);
  if (env.ONDECK_APP_KEYS === undefined && !loopback) {
    throw new ServeOptionError('ONDECK_APP_KEYS', `is required to listen on ${host} (not loopback): the default "${DEMO_APP_KEY}" key is public; set your own app keys, comma-separated`);
  }
  const appKeys = (env.ONDECK_APP_KEYS ?? DEMO_APP_KEY).split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (appKeys.length === 0) throw new ServeOptionError('ONDECK_APP_KEYS', 'names no app key');
  if (!loopback && appKeys.includes(DEMO_APP_KEY)) {
    throw new ServeOptionError('ONDECK_APP_KEYS', `must not hold the public "${DEMO_APP_KEY}" key on ${host} (not loopback)`);
  }
  const hostsText = env.ONDECK_ALLOWED_HOSTS?.trim();
  const allowedHosts = hostsText === undefined || hostsText === '' ? undefined : hostsText === '*' ? '*' : hostsText.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const quotaApp = flags.get('--quota-app');
  const quotaIp = flags.get('--quota-ip');
  const timeoutText = flags.get('--request-timeout');
  let requestTimeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    const sec = Number(timeoutText);
    if (timeoutText === '' || !Number.isFinite(sec) || sec <= 0 || sec > 600) throw new ServeOptionError('--request-timeout', `expected seconds from 0 to 600 (not 0), got "${timeoutText}"`);
    requestTimeoutMs = Math.round(sec * 1000);
  }
  const proxyText = flags.get('--trust-proxy');
  let trustProxy: number | string[] | undefined;
  if (proxyText !== undefined) {
    if (/^\d+$/.test(proxyText) && Number(proxyText) >= 1) trustProxy = Number(proxyText);
    else {
      const list = proxyText.split(',').map((a) => a.trim()).filter((a) => a !== '');
      if (list.length === 0 || list.some((a) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(a))) {
        throw new ServeOptionError('--trust-proxy', `expected proxy addresses or CIDRs, comma-separated, or a hop count >= 1, got "${proxyText}"`);
      }
      trustProxy = list;
    }
  }
  const retentionText = flags.get('--retention-days');
  let retentionDays: number | undefined;
  if (retentionText !== undefined) {
    retentionDays = Number(retentionText);
    if (!/^\d+$/.test(retentionText) || retentionDays < 1 || retentionDays > 10_000) {
      throw new ServeOptionError('--retention-days', `expected a whole number of days from 1 to 10000, got "${retentionText}"`);
    }
  }
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
    rateTokenIssue: rateTokenIssueText === undefined ? undefined : rate('--rate-token-issue', rateTokenIssueText),
    quotaApp: quotaApp === undefined ? undefined : count('--quota-app', quotaApp),
    quotaIp: quotaIp === undefined ? undefined : count('--quota-ip', quotaIp),
    requestTimeoutMs,
    trustProxy,
    retentionDays,
    secretKey,
    tokenSecret,
    allowedHosts,
    appKeys,
    allowedOrigins,
  };
}
