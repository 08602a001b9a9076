/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`.
 * It caps how many workloads are rolled per second when thousands share one
 * ConfigMap, without slowing reconciles that write nothing.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;
  /** Waiters are served in order so a steady stream cannot starve one. */
  #tail: Promise<void> = Promise.resolve();

  /** `ratePerSecond <= 0` means unlimited. */
  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#rate = ratePerSecond;
    this.#burst = Math.max(1, burst);
    this.#now = now;
    this.#tokens = this.#burst;
    this.#updated = now();
  }

  /** Resolves once a token was taken. Rejects with the signal's reason if it aborts while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.#rate <= 0) return Promise.resolve();
    const turn = this.#tail.then(() => this.#takeNow(signal));
    this.#tail = turn.catch(() => undefined);
    return turn;
  }

  async #takeNow(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#now();
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updated) / 1000) * this.#rate);
      this.#updated = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await sleep(((1 - this.#tokens) / this.#rate) * 1000, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(1, Math.ceil(ms)));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
