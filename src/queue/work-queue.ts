import { Backoff } from './backoff.ts';

export interface WorkQueueOptions {
  /** First retry delay after a failure; doubles per consecutive failure of that key. Default 500 ms. */
  readonly baseBackoffMs?: number;
  /** Upper bound of the failure backoff. Default 5 minutes. */
  readonly maxBackoffMs?: number;
  /** A key that keeps being re-added with a delay is pushed back at most this long after its first add, so constant churn cannot starve it. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Called whenever the number of keys held (ready + waiting, not in processing) changes; for a depth gauge. */
  readonly onDepthChange?: (depth: number) => void;
}

type Reason = 'debounce' | 'backoff';

interface Held {
  deadline: number;
  firstAdd: number;
  reason: Reason;
  /** Bumped on every reschedule; heap nodes of older versions are stale. */
  version: number;
}

interface HeapNode {
  readonly deadline: number;
  readonly seq: number;
  readonly key: string;
  readonly version: number;
}

/**
 * A deduplicating work queue of keys with deadlines, after client-go's
 * workqueue: a key is held at most once, a key being processed is never
 * handed to a second worker, and a key added while processed is scheduled
 * again only when the worker calls `done` (so its work is never lost and
 * never runs twice at once).
 *
 * Deadlines serve two purposes:
 * - Debounce: `add(key, d)` on a held key only moves its deadline later
 *   (to now+d), never beyond maxDelayMs after it was first added. A plain
 *   `add(key)` never pulls a debounced key forward, so edits that land
 *   together are reconciled once.
 * - Failure backoff: `addRateLimited(key)` waits an exponential per-key
 *   delay. A fresh `add` of a key waiting out a backoff is new information
 *   and replaces the backoff deadline.
 *
 * Ready keys are handed out in deadline order, FIFO among equals. One timer
 * serves the earliest deadline however many keys are held.
 */
export class WorkQueue {
  readonly #maxDelayMs: number;
  readonly #backoff: Backoff;
  readonly #onDepthChange: ((depth: number) => void) | undefined;
  readonly #held = new Map<string, Held>();
  /** Keys added while being processed, scheduled on `done`. */
  readonly #dirty = new Map<string, Held>();
  readonly #processing = new Set<string>();
  readonly #heap: HeapNode[] = [];
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #shutDown = false;
  #lastDepth = 0;

  constructor(options: WorkQueueOptions = {}) {
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
    this.#backoff = new Backoff(options.baseBackoffMs ?? 500, options.maxBackoffMs ?? 300_000);
    this.#onDepthChange = options.onDepthChange;
  }

  /** Schedules key no earlier than now+delayMs; see the class comment for how this merges with a held key. */
  add(key: string, delayMs = 0): void {
    if (this.#shutDown) return;
    const now = Date.now();
    const target = this.#processing.has(key) ? this.#dirty : this.#held;
    const held = target.get(key);
    if (held === undefined) {
      target.set(key, { deadline: now + delayMs, firstAdd: now, reason: 'debounce', version: 0 });
    } else if (held.reason === 'backoff') {
      Object.assign(held, { deadline: now + delayMs, firstAdd: now, reason: 'debounce' });
    } else {
      held.deadline = Math.max(held.deadline, Math.min(now + delayMs, held.firstAdd + this.#maxDelayMs));
    }
    this.#changed(key, target);
  }

  /** Re-adds key after a failure, delayed by its exponential backoff. */
  addRateLimited(key: string): void {
    if (this.#shutDown) return;
    const now = Date.now();
    const deadline = now + this.#backoff.next(key);
    const target = this.#processing.has(key) ? this.#dirty : this.#held;
    const held = target.get(key);
    if (held === undefined) target.set(key, { deadline, firstAdd: now, reason: 'backoff', version: 0 });
    else if (held.reason === 'backoff') held.deadline = deadline;
    // A key added afresh while it failed keeps that schedule: it carries new information.
    else if (target === this.#held) held.deadline = Math.max(held.deadline, deadline);
    this.#changed(key, target);
  }

  /** Forgets key's failures: its next backoff starts from the base again. */
  forget(key: string): void {
    this.#backoff.forget(key);
  }

  /** Consecutive failures recorded for key since the last `forget`. */
  failures(key: string): number {
    return this.#backoff.failures(key);
  }

  /** The next ready key, now marked as processing; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.#shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#dispatch();
    });
  }

  /** The worker is finished with key; a re-add that arrived meanwhile is scheduled now. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return;
    const pending = this.#dirty.get(key);
    if (pending !== undefined && !this.#shutDown) {
      this.#dirty.delete(key);
      this.#held.set(key, pending);
      this.#push(key, pending);
    }
    this.#reportDepth();
    this.#dispatch();
  }

  /** Keys ready or waiting, including those re-added while being processed. */
  get depth(): number {
    return this.#held.size + this.#dirty.size;
  }

  /** Stops: waiting and future `get` calls resolve undefined, and the timer is cleared. */
  shutDown(): void {
    this.#shutDown = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #changed(key: string, target: Map<string, Held>): void {
    const held = target.get(key);
    if (held === undefined) return;
    held.version++;
    if (target === this.#held) this.#push(key, held);
    this.#reportDepth();
    this.#dispatch();
  }

  #push(key: string, held: Held): void {
    heapPush(this.#heap, { deadline: held.deadline, seq: this.#seq++, key, version: held.version });
  }

  #dispatch(): void {
    const now = Date.now();
    while (this.#waiters.length > 0) {
      const top = this.#heap[0];
      if (top === undefined) break;
      const held = this.#held.get(top.key);
      if (held === undefined || held.version !== top.version) {
        heapPop(this.#heap);
        continue;
      }
      if (top.deadline > now) break;
      heapPop(this.#heap);
      this.#held.delete(top.key);
      this.#processing.add(top.key);
      this.#reportDepth();
      this.#waiters.shift()?.(top.key);
    }
    this.#arm();
  }

  /** Keeps one timer, set for the earliest deadline that someone is waiting for. */
  #arm(): void {
    const next = this.#waiters.length > 0 && !this.#shutDown ? this.#heap[0]?.deadline ?? Infinity : Infinity;
    if (next === this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === Infinity) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#dispatch();
    }, Math.max(0, next - Date.now()));
    this.#timer.unref();
  }

  #reportDepth(): void {
    const depth = this.depth;
    if (depth === this.#lastDepth) return;
    this.#lastDepth = depth;
    this.#onDepthChange?.(depth);
  }
}

function before(a: HeapNode, b: HeapNode): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

function heapPush(heap: HeapNode[], node: HeapNode): void {
  heap.push(node);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (p === undefined || !before(node, p)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = node;
}

function heapPop(heap: HeapNode[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = last;
    let at = i;
    const l = heap[left];
    const r = heap[right];
    if (l !== undefined && before(l, smallest)) { smallest = l; at = left; }
    if (r !== undefined && before(r, smallest)) { smallest = r; at = right; }
    if (at === i) break;
    heap[i] = smallest;
    i = at;
  }
  heap[i] = last;
}
