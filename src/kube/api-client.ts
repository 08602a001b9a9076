import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { finished } from 'node:stream/promises';
import { describeRequestError, keepAliveAgent, readText, sendRequest } from '../http/outgoing-request.ts';
import { ApiError, apiErrorFromResponse } from './api-error.ts';
import { withoutTrailingSlashes, type ClusterAccess, type Credentials } from './cluster-access.ts';

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** e.g. /api/v1/namespaces/ns/configmaps */
  readonly path: string;
  /** Undefined values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON-serialised (JSON is also valid YAML, for apply patches). */
  readonly body?: unknown;
  /** Default application/json; e.g. application/apply-patch+yaml, application/merge-patch+json. */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** When true, an error never includes any part of the response body (used for Secret calls). */
  readonly sensitive?: boolean;
}

/**
 * What the client reports of its requests, in client-go's terms (its
 * rest_client_* metrics): `host` is the API server's host:port, never
 * credentials or a path; `method` the HTTP method.
 */
export interface ApiRequestMetrics {
  /** One HTTP attempt: the answer's status code ("200"), or "<error>" when no answer came. */
  answered(method: string, host: string, code: string): void;
  /** A whole request, its body read to the end; never a watch, whose length says nothing (client-go leaves them out too). */
  took(method: string, host: string, seconds: number): void;
}

/** Error bodies are read up to this size: enough for any Status. */
const maxErrorBodyBytes = 64 * 1024;

/**
 * A request (or a watch) with no bytes either way for this long fails, as
 * undici's default header and body timeouts did. Watches also have the
 * reflector's own, shorter watchdog.
 */
const idleTimeoutMs = 300_000;

/**
 * A minimal Kubernetes API client on Node's own `node:https` / `node:http`:
 * the cluster access's TLS settings and proxy in one keep-alive connection
 * pool, and its credentials asked for on every request, so rotating tokens
 * (service-account token files, exec plugins) are picked up.
 *
 * Errors: a non-2xx response rejects with an ApiError carrying the status
 * (its body read up to 64 KiB). A failure to get credentials, to connect or to
 * read the response, or a 2xx body that is not JSON, rejects with an ApiError
 * whose `statusCode` is 0 (the cause attached, never a body); so does a
 * watch stream that breaks while it is read. A request whose own `signal`
 * aborted rejects with the signal's reason unchanged, so callers can tell
 * their own cancellation from a failure. Messages name the method and path,
 * never the server's URL beyond its origin, nor a query.
 */
export class ApiClient {
  /** The API server's base URL (origin and path prefix, never credentials). */
  readonly server: string;
  readonly #credentials: Credentials;
  readonly #agent: Agent;
  readonly #metrics: ApiRequestMetrics | undefined;
  readonly #host: string;

  constructor(access: ClusterAccess, metrics?: ApiRequestMetrics) {
    this.server = withoutTrailingSlashes(access.server);
    this.#credentials = access.credentials;
    this.#metrics = metrics;
    this.#host = new URL(this.server).host;
    const { tls } = access;
    this.#agent = keepAliveAgent(new URL(this.server).protocol, {
      tls: {
        ca: tls.ca,
        cert: tls.clientCertificate,
        key: tls.clientKey,
        rejectUnauthorized: !tls.insecureSkipTlsVerify,
        servername: tls.serverName,
      },
      proxyUrl: access.proxyUrl,
    });
  }

  /** Throws ApiError for non-2xx. Returns parsed JSON (undefined for an empty body). */
  async json<T = unknown>(req: ApiRequest): Promise<T> {
    return this.#timed(req, async () => this.#json<T>(req, await this.#successful(req)));
  }

  /**
   * Throws ApiError for non-2xx. The body of a 2xx answer is read to the end
   * and dropped unparsed: for writes whose answer is not used, which would
   * otherwise parse a whole object per write.
   */
  async send(req: ApiRequest): Promise<void> {
    await this.#timed(req, async () => {
      const res = await this.#successful(req);
      try {
        await finished(res.resume());
      } catch (err) {
        throw failure(req, 'reading the response failed', err);
      }
    });
  }

  async #timed<T>(req: ApiRequest, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      this.#took(req, started);
    }
  }

  /** The answer, once it is a 2xx; any other status rejects with its ApiError. */
  async #successful(req: ApiRequest): Promise<IncomingMessage> {
    const res = await this.#send(req);
    if (!isSuccess(res)) throw await errorFromResponse(req, res);
    return res;
  }

  async #json<T>(req: ApiRequest, res: IncomingMessage): Promise<T> {
    let text: string;
    try {
      text = await readText(res);
    } catch (err) {
      throw failure(req, 'reading the response failed', err);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // The SyntaxError quotes the text, which may be a Secret: leave it out.
      throw new ApiError({
        method: req.method,
        path: req.path,
        statusCode: 0,
        detail: `response (HTTP ${res.statusCode ?? 0}) is not valid JSON`,
      });
    }
  }

  /**
   * The raw body of a 2xx response, for watches and streamed lists (non-2xx
   * throws ApiError). Leaving the iteration early, or aborting the request's
   * signal, closes the connection.
   */
  async stream(req: ApiRequest): Promise<AsyncIterable<Uint8Array>> {
    const started = performance.now();
    const ended =
      req.query?.watch === undefined
        ? (): void => {
            this.#took(req, started);
          }
        : undefined;
    let res: IncomingMessage;
    try {
      res = await this.#successful(req);
    } catch (err) {
      ended?.();
      throw err;
    }
    return chunksOf(req, res, ended);
  }

  /** Drops the pooled connections; requests still in flight are not waited for. */
  close(): void {
    this.#agent.destroy();
  }

  async #send(req: ApiRequest): Promise<IncomingMessage> {
    const url = this.#url(req);
    let body: string | undefined;
    const contentHeaders: OutgoingHttpHeaders = {};
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      contentHeaders['Content-Type'] = req.contentType ?? 'application/json';
      contentHeaders['Content-Length'] = Buffer.byteLength(body);
    }
    const send = async (credentials: Readonly<Record<string, string>>): Promise<IncomingMessage> => {
      const headers: OutgoingHttpHeaders = {
        ...credentials,
        ...contentHeaders,
        Accept: 'application/json',
        'User-Agent': 'mini-reloader',
      };
      try {
        const res = await sendRequest(url, {
          agent: this.#agent,
          method: req.method,
          headers,
          body,
          signal: req.signal,
          idleTimeoutMs,
        });
        this.#metrics?.answered(req.method, this.#host, String(res.statusCode ?? 0));
        return res;
      } catch (err) {
        this.#metrics?.answered(req.method, this.#host, '<error>');
        throw failure(req, 'request failed', err);
      }
    };
    const sent = await this.#credentialHeaders(req);
    const res = await send(sent);
    // A rotated token file may hold a new token before the re-read period is
    // over: on a 401, read it again and retry once if it changed (as client-go).
    if (res.statusCode !== 401 || this.#credentials.refresh === undefined) return res;
    this.#credentials.refresh();
    const fresh = await this.#credentialHeaders(req);
    if (fresh.Authorization === sent.Authorization) return res;
    res.destroy();
    return send(fresh);
  }

  async #credentialHeaders(req: ApiRequest): Promise<Readonly<Record<string, string>>> {
    try {
      return await this.#credentials.headers();
    } catch (err) {
      throw failure(req, 'could not get credentials', err);
    }
  }

  #took(req: ApiRequest, started: number): void {
    this.#metrics?.took(req.method, this.#host, (performance.now() - started) / 1000);
  }

  #url(req: ApiRequest): URL {
    if (!req.path.startsWith('/')) throw new Error(`API path must start with "/": ${req.path}`);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.toString();
    return new URL(`${this.server}${req.path}${query === '' ? '' : `?${query}`}`);
  }
}

function isSuccess(res: IncomingMessage): boolean {
  const status = res.statusCode ?? 0;
  return status >= 200 && status <= 299;
}

async function* chunksOf(req: ApiRequest, res: IncomingMessage, ended?: () => void): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (err) {
    throw failure(req, 'reading the response failed', err);
  } finally {
    res.destroy();
    ended?.();
  }
}

/** The error for a request that got no usable response; the caller's own abort passes through. */
function failure(req: ApiRequest, what: string, err: unknown): unknown {
  if (req.signal?.aborted === true) return req.signal.reason;
  return new ApiError({
    method: req.method,
    path: req.path,
    statusCode: 0,
    detail: `${what}: ${describeRequestError(err)}`,
    cause: err,
  });
}

async function errorFromResponse(req: ApiRequest, res: IncomingMessage): Promise<ApiError> {
  let text = '';
  try {
    text = await readText(res, maxErrorBodyBytes);
  } catch {
    // The status alone still makes a useful error.
  }
  return apiErrorFromResponse(req.method, req.path, res.statusCode ?? 0, text, req.sensitive === true);
}
