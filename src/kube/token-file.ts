import { readTextFile } from '../node-fs.ts';
import type { Credentials } from './cluster-access.ts';

/** How long a token read from its file is used before the file is read again (client-go's period). */
export const TOKEN_REREAD_MS = 60_000;

/**
 * A bearer token read from a file that something else rotates: the
 * projected service-account token (the kubelet renews it well before it
 * expires) or a kubeconfig `tokenFile`.
 *
 * The file is read at the first request and again once the token is older
 * than `rereadMs`, as client-go does. When a re-read fails or finds the file
 * empty, the last good token is kept (it is normally still valid, and the
 * next request tries again); with no good token yet, `headers()` rejects.
 * After a 401, `refresh()` makes the next request read the file again.
 */
export class TokenFileCredentials implements Credentials {
  readonly #path: string;
  readonly #rereadMs: number;
  readonly #now: () => number;
  #token: string | undefined;
  #readAt = 0;
  #reading: Promise<void> | undefined;

  constructor(path: string, rereadMs = TOKEN_REREAD_MS, now: () => number = Date.now) {
    this.#path = path;
    this.#rereadMs = rereadMs;
    this.#now = now;
  }

  async headers(): Promise<Readonly<Record<string, string>>> {
    if (this.#token === undefined || this.#now() - this.#readAt >= this.#rereadMs) {
      // Requests that arrive while the file is read share that one read.
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined;
      });
      await this.#reading;
    }
    if (this.#token === undefined) throw new Error(`token file ${this.#path} holds no token`);
    return { Authorization: `Bearer ${this.#token}` };
  }

  refresh(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }

  async #read(): Promise<void> {
    let text: string;
    try {
      text = await readTextFile(this.#path);
    } catch (err) {
      if (this.#token === undefined)
        throw new Error(`cannot read token file ${this.#path}: ${(err as Error).message}`, { cause: err });
      return;
    }
    const token = text.trim();
    if (token === '') return;
    this.#token = token;
    this.#readAt = this.#now();
  }
}
