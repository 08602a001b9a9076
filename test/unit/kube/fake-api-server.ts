import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../../src/kube/api-client.ts';
import { fixedCredentials, type ClusterAccess } from '../../../src/kube/cluster-access.ts';
import type { KubeObject } from '../../../src/kube/kube-object.ts';
import type { ReflectorHandlers, ReflectorObserver } from '../../../src/kube/reflector-types.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Route = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export const token = 'test-token-123';

/**
 * An HTTP server on loopback standing in for the API server; each test sets
 * `route` to script the responses it needs.
 */
export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  route: Route = (_req, res) => {
    sendJson(res, 404, status(404, 'NotFound', 'no route'));
  };
  readonly #server: Server;
  readonly #waiters = new Set<() => void>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeApiServer> {
    const server = createServer();
    const fake = new FakeApiServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        fake.requests.push(recorded);
        fake.#wake();
        Promise.resolve(fake.route(recorded, res)).catch((err: unknown) => {
          console.error('fake API route failed', err);
          res.destroy();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  access(pathPrefix = ''): ClusterAccess {
    return {
      server: `${this.url}${pathPrefix}`,
      tls: {
        ca: undefined,
        clientCertificate: undefined,
        clientKey: undefined,
        insecureSkipTlsVerify: false,
        serverName: undefined,
      },
      proxyUrl: undefined,
      namespace: undefined,
      credentials: fixedCredentials({ Authorization: `Bearer ${token}` }),
    };
  }

  client(pathPrefix = ''): ApiClient {
    return new ApiClient(this.access(pathPrefix));
  }

  /** Resolves once `predicate` holds over the requests received so far. */
  async untilRequests(predicate: (requests: readonly RecordedRequest[]) => boolean): Promise<void> {
    await until(this.#waiters, () => predicate(this.requests));
  }

  /** Plain watches: not initial-events streams. */
  watches(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.get('watch') !== null && r.query.get('sendInitialEvents') === null);
  }

  /** Initial-events streams: watches with sendInitialEvents. */
  streams(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.get('watch') !== null && r.query.get('sendInitialEvents') !== null);
  }

  lists(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.get('watch') === null);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => {
      this.#server.close((err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}

async function until(waiters: Set<() => void>, predicate: () => boolean): Promise<void> {
  if (predicate()) return;
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (!predicate()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
  });
}

export function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
}

export function obj(name: string, resourceVersion: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion }, ...extra };
}

/** An open watch response the test writes events to. */
export class WatchStream {
  readonly #res: ServerResponse;
  readonly closed: Promise<void>;

  constructor(res: ServerResponse) {
    this.#res = res;
    this.closed = new Promise((resolve) => {
      res.on('close', () => {
        resolve();
      });
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  }

  event(type: string, object: unknown): void {
    this.raw(`${JSON.stringify({ type, object })}\n`);
  }

  raw(data: string | Buffer): void {
    this.#res.write(data);
  }

  end(): void {
    this.#res.end();
  }
}

/** The BOOKMARK that ends an initial-events stream. */
export function initialEventsEnd(resourceVersion: string): unknown {
  return {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
  };
}

/** kube-apiserver's answer to sendInitialEvents with the WatchList feature off. */
export function rejectStreamingList(res: ServerResponse): void {
  sendJson(
    res,
    422,
    status(
      422,
      'Invalid',
      'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
    ),
  );
}

export function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/**
 * Serves `pages` of a list as the API server would: `limit` is taken as
 * given by the pages, `continue` tokens are "page-<n>".
 */
export function servePages(
  res: ServerResponse,
  req: RecordedRequest,
  pages: readonly (readonly KubeObject[])[],
  resourceVersion: string,
): void {
  const token = req.query.get('continue');
  const index = token === null ? 0 : Number(token.replace('page-', ''));
  const items = pages[index];
  if (items === undefined) {
    sendJson(res, 400, status(400, 'BadRequest', 'bad continue token'));
    return;
  }
  const next = index + 1 < pages.length ? `page-${index + 1}` : undefined;
  sendJson(res, 200, {
    kind: 'ConfigMapList',
    apiVersion: 'v1',
    metadata: { resourceVersion, ...(next === undefined ? {} : { continue: next }) },
    items: items.map((o) => ({ metadata: o.metadata, data: o.data })),
  });
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Handlers and observer that write down what the reflector did, as short strings. */
export class Recorder implements ReflectorHandlers, ReflectorObserver {
  readonly calls: string[] = [];
  readonly relists: string[] = [];
  readonly restarts: string[] = [];
  /** Watches answered from the last resourceVersion (watchOpened). */
  opened = 0;
  readonly unserved: string[] = [];
  readonly errors: { readonly err: unknown; readonly phase: string }[] = [];
  throwOn: string | undefined;
  readonly #waiters = new Set<() => void>();

  listStarted(): void {
    this.#push('listStarted');
  }
  upsert(o: KubeObject): void {
    this.#push(`upsert ${o.metadata.name}`);
    if (o.metadata.name === this.throwOn) throw new Error(`handler refused ${o.metadata.name}`);
  }
  remove(o: KubeObject): void {
    this.#push(`remove ${o.metadata.name}`);
  }
  listFinished(): void {
    this.#push('listFinished');
  }
  relisted(reason: string): void {
    this.relists.push(reason);
    this.#wake();
  }
  streamsUnserved(why: string): void {
    this.unserved.push(why);
    this.#wake();
  }
  watchRestarted(reason: string): void {
    this.restarts.push(reason);
    this.#wake();
  }
  watchOpened(): void {
    this.opened++;
    this.#wake();
  }
  error(err: unknown, phase: string): void {
    this.errors.push({ err, phase });
    this.#wake();
  }

  async until(predicate: (r: Recorder) => boolean): Promise<void> {
    await until(this.#waiters, () => predicate(this));
  }

  #push(call: string): void {
    this.calls.push(call);
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
