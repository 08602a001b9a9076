import type { ConfigRecord } from '../model/config-record.ts';

/**
 * The record of each workload not adopted yet as it was when the controller
 * first saw the workload: what its pods were started with, as far as the
 * controller can know. Adoption and every retry of it compare with this,
 * not with the data of the moment of the write, so a change that lands
 * between first sight and a successful write rolls the workload once.
 *
 * Held by workload key for one uid: a workload deleted and created again
 * under the same name is a new workload. It only holds un-adopted
 * workloads, and at most `limit` of them; beyond that the oldest is dropped
 * (that workload is then adopted with the data of its write, as if first
 * seen then).
 */
export class FirstSight {
  readonly #limit: number;
  readonly #held = new Map<string, { readonly uid: string; readonly record: ConfigRecord }>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get size(): number {
    return this.#held.size;
  }

  has(key: string, uid: string): boolean {
    return this.#held.get(key)?.uid === uid;
  }

  /** The record held for this workload (this uid), if any. */
  get(key: string, uid: string): ConfigRecord | undefined {
    const held = this.#held.get(key);
    return held?.uid === uid ? held.record : undefined;
  }

  /**
   * The record held for this workload, or `record` held from now on when
   * none is. Returns the key of a workload dropped to stay within the limit.
   */
  hold(key: string, uid: string, record: ConfigRecord): { readonly record: ConfigRecord; readonly dropped?: string } {
    const held = this.#held.get(key);
    if (held?.uid === uid) return { record: held.record };
    this.#held.delete(key);
    this.#held.set(key, { uid, record });
    if (this.#held.size <= this.#limit) return { record };
    const oldest = this.#held.keys().next().value;
    if (oldest === undefined) return { record };
    this.#held.delete(oldest);
    return { record, dropped: oldest };
  }

  /** Once its record is written, or the workload is gone. */
  drop(key: string): void {
    this.#held.delete(key);
  }
}
