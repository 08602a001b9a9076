import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { Registry } from '../prometheus/registry.ts';
import { listen, type Listening } from './listen.ts';
import { nodeHttp } from './node-http.ts';

export interface ProbeServerOptions {
  /** `host:port`; `:9090` listens on every interface, `127.0.0.1:0` on a free loopback port. */
  readonly address: string;
  readonly registry: Registry;
  readonly isReady: () => boolean;
  readonly isLive: () => boolean;
  readonly logger: Logger;
}

export type ProbeServer = Listening;

const TEXT = 'text/plain; charset=utf-8';

/**
 * Serves `GET /healthz` and Stakater's alias `/live` (200 "ok" while isLive,
 * else 503), `GET /readyz` (200 while isReady, else 503 with the reason) and
 * `GET /metrics` (the registry in Prometheus text format). HEAD works where
 * GET does; other methods get 405, other paths 404. A handler that throws is
 * answered with 500 and logged; it never takes the process down.
 *
 * Resolves once listening; rejects when the address cannot be bound.
 */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const { logger } = options;

  const server = nodeHttp.createServer((req, res) => {
    respond(req, res, options).catch((err: unknown) => {
      logger.error(
        { path: pathOf(req), err: err instanceof Error ? err.message : String(err) },
        'probe server: request failed',
      );
      if (!res.headersSent) send(res, req, 500, TEXT, 'internal error\n');
      else res.destroy();
    });
  });
  // Probes and scrapes are tiny: a client that sends nothing must not hold a socket for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const listening = await listen(server, options.address, 'probes and metrics', (err) => {
    logger.error({ err: err.message }, 'probe server error');
  });
  logger.debug({ address: options.address, port: listening.port }, 'serving /metrics, /healthz, /live and /readyz');
  return listening;
}

async function respond(req: IncomingMessage, res: ServerResponse, options: ProbeServerOptions): Promise<void> {
  const path = pathOf(req);
  const known = path === '/healthz' || path === '/live' || path === '/readyz' || path === '/metrics';
  if (!known) {
    send(res, req, 404, TEXT, 'not found\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    send(res, req, 405, TEXT, 'method not allowed\n');
    return;
  }
  switch (path) {
    case '/healthz':
    case '/live':
      if (options.isLive()) send(res, req, 200, TEXT, 'ok\n');
      else send(res, req, 503, TEXT, 'not live\n');
      return;
    case '/readyz':
      if (options.isReady()) send(res, req, 200, TEXT, 'ok\n');
      else send(res, req, 503, TEXT, 'not ready: caches not synced yet\n');
      return;
    default: {
      const body = await options.registry.metrics();
      send(res, req, 200, options.registry.contentType, body);
    }
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function send(res: ServerResponse, req: IncomingMessage, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
