import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Logger } from '../logger.ts';
import type { Registry } from '../prometheus/registry.ts';

export interface ProbeServerOptions {
  /** `host:port`; `:9090` listens on every interface, `127.0.0.1:0` on a free loopback port. */
  readonly address: string;
  readonly registry: Registry;
  readonly isReady: () => boolean;
  readonly isLive: () => boolean;
  readonly logger: Logger;
}

export interface ProbeServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops listening and drops open connections, keep-alive ones included. Calling it again returns the same promise. */
  close(): Promise<void>;
}

export interface ListenAddress {
  /** Undefined: every interface. IPv6 literals come without their brackets. */
  readonly host: string | undefined;
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Splits `host:port` the way Go's net.SplitHostPort does: `:9090`,
 * `0.0.0.0:9090`, `localhost:9090`, `[::1]:9090`. Throws an Error whose
 * message says what is wrong.
 */
export function parseListenAddress(address: string): ListenAddress {
  const match = /^(\[([^\]]*)\]|([^:[\]]*)):([0-9]+)$/.exec(address);
  if (match === null) throw new Error('is not host:port');
  const port = Number(match[4]);
  if (!Number.isSafeInteger(port) || port > 65535) throw new Error('has a port outside 0-65535');
  const v6 = match[2];
  if (v6 !== undefined) {
    if (isIP(v6) !== 6) throw new Error(`has "${v6}" in brackets, which is not an IPv6 address`);
    return { host: v6, port };
  }
  const host = match[3] ?? '';
  if (host === '') return { host: undefined, port };
  if (isIP(host) === 0 && !HOSTNAME.test(host)) throw new Error(`has "${host}", which is neither an IP address nor a host name`);
  return { host, port };
}

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
  const { host, port } = parseListenAddress(options.address);
  const { logger } = options;

  const server = createServer((req, res) => {
    respond(req, res, options).catch((err: unknown) => {
      logger.error({ path: pathOf(req), err: err instanceof Error ? err.message : String(err) }, 'probe server: request failed');
      if (!res.headersSent) send(res, req, 500, TEXT, 'internal error\n');
      else res.destroy();
    });
  });
  // Probes and scrapes are tiny: a client that sends nothing must not hold a socket for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error): void => {
      reject(new Error(`cannot serve probes and metrics on ${options.address}: ${err.message}`));
    };
    server.once('error', failed);
    server.listen({ host, port }, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', (err) => { logger.error({ err: err.message }, 'probe server error'); });

  const bound = (server.address() as AddressInfo).port;
  logger.debug({ address: options.address, port: bound }, 'serving /metrics, /healthz, /live and /readyz');
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => { if (err === undefined) resolve(); else reject(err); });
        server.closeAllConnections();
      });
      return closed;
    },
  };
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
