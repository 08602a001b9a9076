import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { LocalCluster } from '../../../tools/cluster/local-cluster.ts';

export interface ProxiedRequest {
  readonly method: string;
  /** e.g. /api/v1/namespaces/ns/configmaps */
  readonly path: string;
  readonly query: URLSearchParams;
}

/**
 * What the proxy does to one request instead of passing it through:
 * - `reply`: answers it itself, never asking the API server;
 * - `dropQuery`: forwards it without these query parameters;
 * - `after`: forwards it and passes the lines of the response up to the
 *   first for which `after(line, index)` holds (that one included), then cuts
 *   the connection (`then` undefined) or writes `then` as one more line and
 *   ends the response.
 */
export type Tamper =
  | { readonly reply: { readonly status: number; readonly body: unknown } }
  | { readonly dropQuery: readonly string[] }
  | { readonly after: (line: string, index: number) => boolean; readonly then?: string };

/**
 * A plain-HTTP proxy of the test's own between a controller and the real API
 * server: it records every request and lets the test break the ones it
 * picks, as a failing network or an older server would.
 */
export class ApiProxy {
  readonly requests: ProxiedRequest[] = [];
  /** Decides, per request, whether and how to break it; undefined passes it through. */
  tamper: (req: ProxiedRequest) => Tamper | undefined = () => undefined;
  readonly #server: Server;
  /** The responses still open, with their requests: the watches among them are what `cut` breaks. */
  readonly #open = new Map<ServerResponse, ProxiedRequest>();
  readonly #upstream: URL;
  readonly #token: string;

  private constructor(server: Server, upstream: string, token: string) {
    this.#server = server;
    this.#upstream = new URL(upstream);
    this.#token = token;
  }

  static async start(cluster: LocalCluster): Promise<ApiProxy> {
    const server = createServer();
    const proxy = new ApiProxy(server, cluster.server, cluster.adminToken);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      proxy.#handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig in `dir` that reaches the API server through this proxy, as the cluster's admin. */
  kubeconfig(dir: string): string {
    const file = path.join(dir, 'proxy-kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // client-node refuses plain HTTP unless TLS verification is off; there is no TLS to verify.
        clusters: [{ name: 'proxy', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token: this.#token } }],
        contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'admin' } }],
        'current-context': 'proxy',
      }),
      { mode: 0o600 },
    );
    return file;
  }

  /** Requests of `resource` (plural) that ask for initial events, plain watches, or lists. */
  streams(resource: string): ProxiedRequest[] {
    return this.#of(resource).filter((r) => r.query.get('watch') !== null && r.query.get('sendInitialEvents') !== null);
  }

  lists(resource: string): ProxiedRequest[] {
    return this.#of(resource).filter((r) => r.method === 'GET' && r.query.get('watch') === null);
  }

  /** Breaks the connection of every open watch of `resource`, as a network failure would. */
  cut(resource: string): number {
    let cut = 0;
    for (const [res, req] of this.#open) {
      if (!req.path.endsWith(`/${resource}`) || req.query.get('watch') === null) continue;
      res.destroy();
      cut++;
    }
    return cut;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  /** Requests for the collection itself (not one object by name). */
  #of(resource: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(`/${resource}`));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const recorded: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: new URLSearchParams(url.searchParams),
    };
    this.requests.push(recorded);
    this.#open.set(res, recorded);
    res.on('close', () => {
      this.#open.delete(res);
    });
    const tamper = this.tamper(recorded);
    if (tamper !== undefined && 'reply' in tamper) {
      const text = JSON.stringify(tamper.reply.body);
      res
        .writeHead(tamper.reply.status, {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(text),
        })
        .end(text);
      req.resume();
      return;
    }
    if (tamper !== undefined && 'dropQuery' in tamper) for (const key of tamper.dropQuery) url.searchParams.delete(key);
    const upstream = httpsRequest(
      {
        host: this.#upstream.hostname,
        port: this.#upstream.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: this.#upstream.host },
        // The test's own API server on loopback, whose certificate the test does not pin.
        rejectUnauthorized: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // As the API server does for a watch: the client learns at once that it was answered.
        res.flushHeaders();
        if (tamper === undefined || !('after' in tamper)) {
          answer.pipe(res);
          return;
        }
        let passed = 0;
        let done = false;
        let pending = Buffer.alloc(0);
        answer.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          for (let newline = pending.indexOf(0x0a); newline !== -1 && !done; newline = pending.indexOf(0x0a)) {
            const line = pending.subarray(0, newline + 1);
            res.write(line);
            pending = pending.subarray(newline + 1);
            done = tamper.after(line.toString('utf8'), passed++);
          }
          if (!done) return;
          answer.destroy();
          if (tamper.then === undefined) res.destroy();
          else res.end(`${tamper.then}\n`);
        });
        answer.on('end', () => {
          res.end(pending);
        });
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    res.on('close', () => {
      upstream.destroy();
    });
    req.pipe(upstream);
  }
}
