// A static file server on 127.0.0.1 for end-to-end pages. `isolated` adds COOP/COEP so the page
// is crossOriginIsolated (SharedArrayBuffer, wasm threads); webviews often lack those headers,
// so tests run both ways.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function serveStatic(opts: {
  root: string;
  isolated: boolean;
  /** Extra routes answered before the file system, keyed by path. */
  routes?: Record<string, { type: string; body: string | Uint8Array }>;
  /** Headers sent with every response (a Content-Security-Policy, say). */
  headers?: Record<string, string>;
}): Promise<StaticServer> {
  const root = normalize(opts.root);
  const server: Server = createServer(async (req, res) => {
    const headers: Record<string, string> = { ...(opts.isolated ? CROSS_ORIGIN_ISOLATION_HEADERS : {}), ...opts.headers };
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const route = opts.routes?.[path];
    if (route) {
      res.writeHead(200, { ...headers, 'Content-Type': route.type });
      res.end(route.body);
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? path + 'index.html' : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end('outside the served root');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
