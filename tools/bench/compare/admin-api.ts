import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { apiserverVerb, resourceOfPath } from './request-counts.ts';

/** One event of a WATCH stream, as the API server sends it. */
export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export class ApiStatusError extends Error {
  readonly status: number;
  constructor(method: string, apiPath: string, status: number, message: string) {
    super(`${method} ${apiPath}: HTTP ${status}${message === '' ? '' : `: ${message}`}`);
    this.status = status;
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The benchmark's own client: the local cluster's admin token over
 * keep-alive HTTPS, independent of the controller's code under test. It
 * counts its own requests the way the API server's `apiserver_request_total`
 * does, so request counts can be told apart from the controller's.
 */
export class AdminApi {
  readonly #server: string;
  readonly #token: string;
  readonly #agent: https.Agent;
  readonly #own = new Map<string, number>();

  constructor(server: string, token: string, kubeconfigPath: string) {
    const kubeconfig = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { 'certificate-authority-data': string } }[];
    };
    const ca = Buffer.from(kubeconfig.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64');
    this.#server = server;
    this.#token = token;
    this.#agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca });
  }

  /** Requests this client made, keyed like `countRequests` keys ("VERB resource[/subresource]"). */
  ownRequests(): ReadonlyMap<string, number> {
    return new Map(this.#own);
  }

  async json<T>(method: string, apiPath: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const { status, text } = await this.#call(method, apiPath, body, contentType);
    if (status < 200 || status > 299) throw new ApiStatusError(method, apiPath, status, statusMessage(text));
    return JSON.parse(text) as T;
  }

  /** The HTTP status alone, for existence checks. */
  async status(method: string, apiPath: string): Promise<number> {
    return (await this.#call(method, apiPath, undefined, 'application/json')).status;
  }

  /** A non-resource text endpoint such as /metrics or /version. */
  async text(apiPath: string): Promise<string> {
    const { status, text } = await this.#call('GET', apiPath, undefined, 'text/plain');
    if (status !== 200) throw new ApiStatusError('GET', apiPath, status, '');
    return text;
  }

  /**
   * Streams a WATCH, calling onEvent for each event, until the server ends
   * it or signal aborts. Resolves on either; rejects on a non-200 answer, a
   * broken connection, or what onEvent throws.
   */
  async watch<T>(apiPath: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    let res: IncomingMessage;
    try {
      res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = https.request(
          `${this.#server}${apiPath}`,
          { agent: this.#agent, headers: { authorization: `Bearer ${this.#token}` }, signal },
          resolve,
        );
        req.on('error', reject);
        req.end();
      });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    try {
      if (res.statusCode !== 200) throw new ApiStatusError('GET', apiPath, res.statusCode ?? 0, '');
      for await (const line of createInterface({ input: res })) {
        if (line !== '') onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    } finally {
      res.destroy();
      // The API server counts a WATCH when it ends.
      this.#count('GET', apiPath);
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #count(method: string, apiPath: string): void {
    const resource = resourceOfPath(apiPath);
    if (resource === undefined) return;
    const key = `${apiserverVerb(method, apiPath)} ${resource}`;
    this.#own.set(key, (this.#own.get(key) ?? 0) + 1);
  }

  #call(
    method: string,
    apiPath: string,
    body: unknown,
    contentType: string,
  ): Promise<{ status: number; text: string }> {
    this.#count(method, apiPath);
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.#server}${apiPath}`,
        {
          method,
          agent: this.#agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${this.#token}`,
            'content-type': contentType,
            accept: contentType === 'text/plain' ? '*/*' : 'application/json',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error(`${method} ${apiPath} timed out after ${REQUEST_TIMEOUT_MS} ms`));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }
}

/** A Status object's message; the benchmark's objects hold only filler data, so it is safe to show. */
function statusMessage(text: string): string {
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    return typeof message === 'string' ? message : '';
  } catch {
    return text.slice(0, 200);
  }
}
