import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { nodeHttp } from './node-http.ts';

export interface AgentOptions {
  /** TLS settings for https targets (CA, client certificate, verification, server name). */
  readonly tls?: https.AgentOptions;
  /** An http:// proxy: CONNECT tunnels for https targets, absolute-form requests for http ones. */
  readonly proxyUrl?: string | undefined;
}

/**
 * One keep-alive connection pool for a target of the given scheme. A proxy
 * is Node's own proxy support (credentials in the proxy URL become
 * Proxy-Authorization), told to use that proxy for every host.
 *
 * The pool's connections share one TLS context, built here from the CA and
 * client certificate: given those as options instead, Node builds (and
 * parses the certificates into) a context of its own for every connection,
 * and each watch holds a connection.
 */
export function keepAliveAgent(protocol: string, options: AgentOptions = {}): Agent {
  if (protocol === 'https:') {
    const { ca, cert, key, ...tls } = options.tls ?? {};
    return new https.Agent({
      ...tls,
      secureContext: createSecureContext({ ca, cert, key }),
      keepAlive: true,
      ...(options.proxyUrl === undefined ? {} : { proxyEnv: { HTTPS_PROXY: options.proxyUrl } }),
    });
  }
  return new nodeHttp.Agent({
    keepAlive: true,
    ...(options.proxyUrl === undefined ? {} : { proxyEnv: { HTTP_PROXY: options.proxyUrl } }),
  });
}

export interface OutgoingRequest {
  readonly agent: Agent;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** With no bytes either way for this long, the request fails with a RequestTimeoutError. */
  readonly idleTimeoutMs: number;
}

/** A request whose connection was idle for its `idleTimeoutMs`. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';

  constructor(ms: number) {
    super(`no bytes for ${ms} ms`);
  }
}

/**
 * Sends one request and resolves with the response once its headers arrive;
 * redirects are never followed. `url` must not hold credentials (Node would
 * turn them into an Authorization header): callers put them in `headers`.
 * Rejects with the socket's error, a RequestTimeoutError, or, when `signal`
 * aborts, an AbortError. An abort after the headers destroys the response,
 * so a body being read fails with that AbortError.
 *
 * The abort listener is our own, released when the response closes or the
 * request fails: Node's (the `signal` request option) outlives the request,
 * and a later abort then destroys a keep-alive socket that has gone back to
 * the pool with no error listener, an uncaught exception.
 */
export function sendRequest(url: URL, init: OutgoingRequest): Promise<IncomingMessage> {
  if (url.username !== '' || url.password !== '') throw new Error('sendRequest: the URL holds credentials');
  const request = url.protocol === 'https:' ? https.request : nodeHttp.request;
  const signal = init.signal;
  return new Promise((resolve, reject) => {
    let response: IncomingMessage | undefined;
    const req = request(url, { agent: init.agent, method: init.method, headers: init.headers }, (res) => {
      response = res;
      res.once('close', release);
      resolve(res);
    });
    const onAbort = (): void => {
      const err = abortError(signal);
      if (response === undefined) req.destroy(err);
      else if (!response.complete) response.destroy(err);
    };
    const release = (): void => {
      signal?.removeEventListener('abort', onAbort);
    };
    req.on('error', (err) => {
      release();
      reject(err);
    });
    req.setTimeout(init.idleTimeoutMs, () => {
      req.destroy(new RequestTimeoutError(init.idleTimeoutMs));
    });
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(init.body);
  });
}

/** The error an aborted request fails with, as `fetch` and Node's own requests name it. */
function abortError(signal: AbortSignal | undefined): DOMException {
  return new DOMException('The operation was aborted', { name: 'AbortError', cause: signal?.reason });
}

/**
 * The response body as text. With `maxBytes`, reading stops (and the
 * connection is dropped) once that many bytes have arrived, so the text may
 * be cut.
 */
export async function readText(res: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of res) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    bytes += buffer.byteLength;
    if (bytes >= maxBytes) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What went wrong in a request, in one line, for an error message (names no URL). */
export function describeRequestError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (
    err.name === 'TimeoutError' ||
    (err.name === 'AbortError' && err.cause instanceof Error && err.cause.name === 'TimeoutError')
  )
    return 'timed out';
  return err.message;
}
