/**
 * Per-key exponential failure backoff.
 *
 * The n-th consecutive failure of a key (n counted from 0) waits
 * `min(baseMs * 2^n, maxMs)`, spread by ±10% jitter and then capped at `maxMs`
 * again, so `maxMs` is a true upper bound. Failures are counted per key until
 * `forget(key)`.
 */
export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  readonly #failures = new Map<string, number>();

  /** `random` returns a number in [0, 1); it only drives the jitter. */
  constructor(baseMs: number, maxMs: number, random: () => number = Math.random) {
    this.#baseMs = Math.max(0, baseMs);
    this.#maxMs = Math.max(0, maxMs);
    this.#random = random;
  }

  /** Records one more failure of key and returns how long (ms) to wait before retrying it. */
  next(key: string): number {
    const before = this.#failures.get(key) ?? 0;
    this.#failures.set(key, before + 1);
    // Past 2^52 the product is already beyond any sane cap; clamping keeps it finite.
    const delay = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(before, 52));
    return Math.min(this.#maxMs, delay * (0.9 + this.#random() * 0.2));
  }

  /** Consecutive failures recorded for key since the last `forget`. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Resets key's failure count: its next backoff starts from `baseMs` again. */
  forget(key: string): void {
    this.#failures.delete(key);
  }
}
