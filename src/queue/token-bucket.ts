/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`,
 * and it starts full. It caps how many workloads are rolled per second when
 * thousands share one ConfigMap, without slowing reconciles that write
 * nothing.
 *
 * Waiters are served strictly in call order, so a steady stream of callers
 * cannot starve an earlier one. One timer serves the head of the line, and
 * only while someone waits.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updated: number;
  readonly #waiters: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  /**
   * `ratePerSecond <= 0` (or NaN) means unlimited. `burst` below 1 counts as
   * 1. `now` is a millisecond clock; it defaults to `performance.now`.
   */
  constructor(ratePerSecond: number, burst: number, now: () => number = () => performance.now()) {
    this.#rate = ratePerSecond > 0 ? ratePerSecond : 0;
    this.#burst = burst >= 1 ? burst : 1;
    this.#now = now;
    this.#tokens = this.#burst;
    this.#updated = now();
  }

  /**
   * Resolves once a token was taken, waiting behind earlier callers if none
   * is left. Rejects with an AbortError, and takes no token, if `signal` is
   * already aborted or aborts while waiting.
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    if (this.#rate === 0) return Promise.resolve();
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const at = this.#waiters.indexOf(waiter);
          if (at >= 0) this.#waiters.splice(at, 1);
          if (this.#waiters.length === 0) this.#clearTimer();
          reject(abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#arm();
    });
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updated) / 1000) * this.#rate);
    this.#updated = now;
  }

  #serve(): void {
    this.#refill();
    // The epsilon absorbs rounding in the refill so a timer aimed at the next
    // whole token does not come back 1 ms later for a rounding error.
    while (this.#tokens >= 1 - 1e-9) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) break;
      this.#tokens = Math.max(0, this.#tokens - 1);
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#arm();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#waiters.length === 0) return;
    const waitMs = Math.max(1, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#serve();
    }, waitMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

interface Waiter {
  readonly resolve: () => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The signal's own reason when it is an AbortError (the default), otherwise an AbortError caused by it. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The operation was aborted', { name: 'AbortError', cause: reason });
}
