import type { WorkloadKey } from '../model/workload-key.ts';
import type { HoldReason } from './decision.ts';

export type HoldWhy = HoldReason['why'];

/**
 * The workloads held now, and why: what the held-workloads gauge counts, and
 * what tells a hold that is new (worth an Event) from one seen again at a
 * resync or a requeue.
 */
export class HeldWorkloads {
  readonly #states = new Map<WorkloadKey, { readonly why: HoldWhy; readonly until: number | undefined }>();
  readonly #counts = new Map<HoldWhy, number>();
  readonly #onCount: (why: HoldWhy, count: number) => void;

  constructor(onCount: (why: HoldWhy, count: number) => void) {
    this.#onCount = onCount;
  }

  /** Notes `key` held (why given) or not held (undefined); true when that differs from the last note. */
  note(key: WorkloadKey, why: HoldWhy | undefined, until?: number): boolean {
    const before = this.#states.get(key);
    if (before?.why === why && before?.until === until) return false;
    if (before !== undefined) this.#count(before.why, -1);
    if (why === undefined) {
      this.#states.delete(key);
    } else {
      this.#states.set(key, { why, until });
      this.#count(why, 1);
    }
    return true;
  }

  #count(why: HoldWhy, by: number): void {
    const count = (this.#counts.get(why) ?? 0) + by;
    this.#counts.set(why, count);
    this.#onCount(why, count);
  }
}
