import { fetch, ProxyAgent, type Dispatcher } from 'undici';
import { describeFetchError } from '../fetch-error.ts';

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
  readonly url: string;
  /** Every request goes through this HTTP proxy, e.g. http://proxy:3128. */
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
 */
export class HttpPoster {
  readonly #target: PostTarget;
  readonly #origin: string;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(target: PostTarget) {
    this.#target = target;
    this.#origin = new URL(target.url).origin;
    this.#dispatcher = target.proxy === undefined ? undefined : new ProxyAgent(target.proxy);
  }

  async post(body: PostBody): Promise<void> {
    let status: number;
    try {
      const res = await fetch(this.#target.url, {
        method: 'POST',
        headers: { 'Content-Type': body.contentType, 'User-Agent': 'mini-reloader' },
        body: body.text,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#target.timeoutMs),
        dispatcher: this.#dispatcher,
      });
      status = res.status;
      // The body is never used, but must be read or cancelled to free the connection.
      await res.body?.cancel();
    } catch (err) {
      throw new PostError(`POST to ${this.#origin} failed: ${describeFetchError(err)}`, 0, err);
    }
    if (status < 200 || status > 299) throw new PostError(`POST to ${this.#origin} answered HTTP ${status}`, status);
  }

  async close(): Promise<void> {
    await this.#dispatcher?.close();
  }
}
