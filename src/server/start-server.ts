/** createServer, listening. */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.ts';
import { SERVER_DEFAULTS } from './defaults.ts';
import type { ServerOptions } from './options.ts';

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8787 (the port actually bound, also for port 0). */
  url: string;
  /** Stops accepting, finishes in-flight requests; does not close the store (its opener does). */
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions & { port?: number; host?: string }): Promise<RunningServer> {
  const { port = SERVER_DEFAULTS.port, host = SERVER_DEFAULTS.host, ...rest } = options;
  const app = createServer(rest);
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  return { app, url: `http://${shownHost}:${address.port}`, close: () => app.close() };
}
