import type { Agent } from 'node:http';
import { basicAuthorization } from '../http/basic-authorization.ts';
import { describeRequestError, keepAliveAgent, sendRequest } from '../http/outgoing-request.ts';

/** A POST that was not taken. The message names the receiver by origin only: webhook paths often hold a token. */
export class PostError extends Error {
  override readonly name = 'PostError';
  /** The HTTP status, or 0 when no response came. */
  readonly status: number;

  constructor(message: string, status: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
  }
}

export interface PostTarget {
  /** http(s)://[user:password@]host[:port]/path?query; userinfo becomes HTTP basic auth. */
  readonly url: string;
  /** Every request goes through this HTTP proxy, e.g. http://proxy:3128 (CONNECT for https targets). */
  readonly proxy?: string | undefined;
  readonly timeoutMs: number;
}

export interface PostBody {
  readonly contentType: string;
  readonly text: string;
}

/**
 * POSTs to one fixed receiver. A 2xx answer is success; anything else,
 * redirects included (a redirect usually means a revoked or mistyped hook
 * token, and following one could carry the body somewhere unintended),
 * rejects with a PostError.
 *
 * Credentials in the URL (`https://user:pass@host/path`) are taken out of
 * it and sent as HTTP basic auth. Nothing this class says (errors, their
 * causes) names the receiver or the proxy beyond its origin.
 */
export class HttpPoster {
  readonly #url: URL;
  readonly #origin: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #agent: Agent;

  constructor(target: PostTarget) {
    const url = new URL(target.url);
    this.#authorization =
      url.username === '' && url.password === ''
        ? undefined
        : basicAuthorization(decodeUserinfo(url.username), decodeUserinfo(url.password));
    url.username = '';
    url.password = '';
    this.#url = url;
    this.#origin = url.origin;
    this.#timeoutMs = target.timeoutMs;
    this.#agent = keepAliveAgent(url.protocol, { proxyUrl: target.proxy });
  }

  async post(body: PostBody): Promise<void> {
    let status: number;
    try {
      const res = await sendRequest(this.#url, {
        agent: this.#agent,
        method: 'POST',
        headers: {
          'Content-Type': body.contentType,
          'Content-Length': Buffer.byteLength(body.text),
          'User-Agent': 'mini-reloader',
          ...(this.#authorization === undefined ? {} : { Authorization: this.#authorization }),
        },
        body: body.text,
        signal: AbortSignal.timeout(this.#timeoutMs),
        idleTimeoutMs: this.#timeoutMs,
      });
      status = res.statusCode ?? 0;
      // The body is never used, but must be read to free the connection.
      res.resume();
    } catch (err) {
      throw new PostError(`POST to ${this.#origin} failed: ${describeRequestError(err)}`, 0, err);
    }
    if (status < 200 || status > 299) throw new PostError(`POST to ${this.#origin} answered HTTP ${status}`, status);
  }

  close(): Promise<void> {
    this.#agent.destroy();
    return Promise.resolve();
  }
}

/** URL userinfo is percent-encoded; a malformed escape is sent as written. */
function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
