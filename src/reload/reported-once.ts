/**
 * The problems already reported, so that a value that stays wrong gives one
 * Warning, not one on every reconcile.
 *
 * Tenants write the values, and each new bad value is a new problem: the set
 * keeps at most `limit` of them (10,000 unless told, some 2 MiB at most), and
 * drops the one reported or seen longest ago. A dropped problem that is still
 * there is reported once more: one repeated Event, where an unbounded set
 * would grow without end.
 *
 * @example
 * ```ts
 * const reported = new ReportedOnce(2);
 * reported.first('uid-1/reload/broken['); // true: report it
 * reported.first('uid-1/reload/broken['); // false: already reported
 * ```
 */
export class ReportedOnce {
  readonly #limit: number;
  readonly #seen = new Set<string>();

  constructor(limit = 10_000) {
    this.#limit = Math.max(1, limit);
  }

  get size(): number {
    return this.#seen.size;
  }

  /** True when `problem` is not among those reported: it is remembered from now on. */
  first(problem: string): boolean {
    const known = this.#seen.delete(problem);
    this.#seen.add(problem);
    if (this.#seen.size > this.#limit) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return !known;
  }
}
