/** createServer, listening. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.ts';
import { DEMO_APP_KEY, LOOPBACK_HOSTS, SERVER_DEFAULTS } from './defaults.ts';
import { ServerConfigError } from './errors.ts';
import type { ServerOptions } from './options.ts';

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8787 (the port actually bound, also for port 0). */
  url: string;
  /** Stops accepting, finishes in-flight requests; does not close the store (its opener does). */
  close(): Promise<void>;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}

export async function startServer(options: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
  const { port = SERVER_DEFAULTS.port, host = SERVER_DEFAULTS.host, ...rest } = options;
  const loopback = isLoopbackHost(host);
  // The demo key is public: on an address others can reach, it would let anyone write.
  if (!loopback && (rest.appKeys ?? []).includes(DEMO_APP_KEY)) {
    throw new ServerConfigError('appKeys', `the public "${DEMO_APP_KEY}" key is accepted only on loopback; set your own app keys (ONDECK_APP_KEYS) to listen on ${host}`);
  }
  // On loopback, only loopback names: a page that rebinds its own domain to 127.0.0.1 is refused.
  const allowedHosts = rest.allowedHosts ?? (loopback ? LOOPBACK_HOSTS : undefined);
  const app = createServer({ ...rest, ...(allowedHosts === undefined ? {} : { allowedHosts }) });
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  return { app, url: `http://${shownHost}:${address.port}`, close: () => app.close() };
}
