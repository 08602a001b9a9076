import { RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch, type Dispatcher, type Response } from 'undici';
import { describeFetchError } from '../fetch-error.ts';
import { ApiError, apiErrorFromResponse } from './api-error.ts';

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

/** Error bodies are read up to this size: enough for any Status. */
const maxErrorBodyBytes = 64 * 1024;

/**
 * A minimal Kubernetes API client: the kubeconfig's credentials and TLS
 * settings (applied by client-node's KubeConfig), requests made with undici's
 * fetch.
 *
 * Credentials are applied on every request, so rotating tokens (service
 * account token files, exec plugins) are picked up. The TLS settings
 * (CA, client certificate, skip-verify, proxy) are taken once, from the first
 * request, so that every request shares one connection pool.
 *
 * Errors: a non-2xx response rejects with an ApiError carrying the status. A
 * failure to connect or to read the response, or a 2xx body that is not JSON,
 * rejects with an ApiError whose `statusCode` is 0 (the cause attached, never
 * a body). A request whose own `signal` aborted rejects with the signal's
 * reason unchanged, so callers can tell their own cancellation from a failure.
 */
export class ApiClient {
  /** The API server's base URL. */
  readonly server: string;
  readonly #kubeConfig: KubeConfig;
  #dispatcher: Dispatcher | undefined;
  #dispatcherChosen = false;

  constructor(kubeConfig: KubeConfig, server: string) {
    this.#kubeConfig = kubeConfig;
    this.server = server.replace(/\/+$/, '');
  }

  static fromKubeConfig(kc: KubeConfig): ApiClient {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    return new ApiClient(kc, cluster.server);
  }

  /** Throws ApiError for non-2xx. Returns parsed JSON (undefined for an empty body). */
  async json<T = unknown>(req: ApiRequest): Promise<T> {
    const res = await this.#send(req);
    if (!res.ok) throw await errorFromResponse(req, res);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw failure(req, 'reading the response failed', err);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // The SyntaxError quotes the text, which may be a Secret: leave it out.
      throw new ApiError({ method: req.method, path: req.path, statusCode: 0, detail: `response (HTTP ${res.status}) is not valid JSON` });
    }
  }

  /** Raw streaming response for watches and streamed lists (status checked: non-2xx throws ApiError). */
  async stream(req: ApiRequest): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.#send(req);
    if (!res.ok) throw await errorFromResponse(req, res);
    if (res.body === null) throw new ApiError({ method: req.method, path: req.path, statusCode: 0, detail: `response (HTTP ${res.status}) has no body` });
    return res.body as ReadableStream<Uint8Array>;
  }

  async #send(req: ApiRequest): Promise<Response> {
    const url = this.#url(req);
    const context = new RequestContext(url, req.method);
    try {
      await this.#kubeConfig.applySecurityAuthentication(context);
    } catch (err) {
      throw failure(req, 'could not apply kubeconfig credentials', err);
    }
    if (!this.#dispatcherChosen) {
      this.#dispatcherChosen = true;
      this.#dispatcher = context.getDispatcher();
    }
    // Later contexts carry a fresh dispatcher each; it holds no connection
    // until used, so dropping it costs nothing.
    const headers: Record<string, string> = { ...context.getHeaders(), Accept: 'application/json', 'User-Agent': 'mini-reloader' };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      body = JSON.stringify(req.body);
    }
    try {
      return await fetch(url, {
        method: req.method,
        headers,
        body,
        signal: req.signal,
        dispatcher: this.#dispatcher,
      });
    } catch (err) {
      throw failure(req, 'request failed', err);
    }
  }

  #url(req: ApiRequest): string {
    if (!req.path.startsWith('/')) throw new Error(`API path must start with "/": ${req.path}`);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const query = params.toString();
    return `${this.server}${req.path}${query === '' ? '' : `?${query}`}`;
  }
}

/** The error for a request that got no usable response; the caller's own abort passes through. */
function failure(req: ApiRequest, what: string, err: unknown): unknown {
  if (req.signal?.aborted === true) return err;
  return new ApiError({ method: req.method, path: req.path, statusCode: 0, detail: `${what}: ${describeFetchError(err)}`, cause: err });
}

async function errorFromResponse(req: ApiRequest, res: Response): Promise<ApiError> {
  let text = '';
  try {
    text = await readCapped(res, maxErrorBodyBytes);
  } catch {
    // The status alone still makes a useful error.
  }
  return apiErrorFromResponse(req.method, req.path, res.status, text, req.sensitive === true);
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (res.body === null) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= maxBytes) break;
    }
    return text + decoder.decode();
  } finally {
    await reader.cancel();
  }
}
