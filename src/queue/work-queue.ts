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
  readonly metrics?: WorkQueueMetrics;
}

/** What the queue reports as it goes, for Stakater's workqueue metrics. */
export interface WorkQueueMetrics {
  /** An `add` call (before shutDown), deduplicated or not. */
  added(): void;
  /** An `addRateLimited` call: a failed key is retried. */
  retried(): void;
  /** A key handed out by `get`, `seconds` after it was queued (see `queuedAt`). */
  waited(seconds: number): void;
}

/** Node turns a longer setTimeout delay into 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One held key: ready, waiting for its deadline, or pending behind its own processing. */
interface Entry<K extends string = string> {
  readonly key: K;
  /** Not-before time asked for by `add`; undefined while held only by a failure backoff. */
  debounceAt: number | undefined;
  /** When the current debounce window opened; re-adds never push `debounceAt` past this + maxDelayMs. */
  windowStart: number;
  /** Not-before time set by `addRateLimited`; a fresh `add` clears it. */
  backoffAt: number | undefined;
  /** The effective deadline: the later of `debounceAt` and `backoffAt`. */
  deadline: number;
  /** Breaks deadline ties: the order in which entries got their current deadline. */
  seq: number;
  /** Position in the deadline heap; -1 while the key is being processed. */
  slot: number;
  /** When the key was queued: the add that made it held, or for a retry, when the failed attempt was queued. */
  readonly queuedAt: number;
}

/**
 * A deduplicating, delaying work queue of string keys, in the manner of
 * client-go's workqueue.
 *
 * Contract:
 * 1. Deduplication: a key is held at most once. A key handed out by `get` is
 *    "in processing" and is never handed out again until `done(key)`. If it
 *    is added meanwhile it becomes dirty: held, counted in `depth`, but
 *    schedulable only after `done`, with the deadline its adds gave it. So
 *    work that arrives during a reconcile is never lost and never runs twice
 *    at once.
 * 2. Debounce: every held key has a not-before deadline. `add(key, d)` on a
 *    held key only ever moves it later: to max(current, now + d), but never
 *    beyond windowStart + maxDelayMs, where windowStart is when the key
 *    became held (or when a fresh add turned a backoff into a debounce, see
 *    3). A plain `add(key)` therefore never pulls a debounced key forward,
 *    and edits that land within one debounce window cause one reconcile. The
 *    first add of a window is honoured as given, even beyond maxDelayMs.
 * 3. Backoff: `addRateLimited(key)` records a failure and holds the key for
 *    its exponential backoff. A later `add(key, d)` is fresh information: it
 *    drops the backoff, so a key held only by a backoff is rescheduled to
 *    now + d and becomes a normal debounce entry (with a new window). On a
 *    key already held by a debounce deadline, `addRateLimited` keeps the
 *    later of the two. Exception: on a key that was re-added while it was
 *    being processed, the failure of that processing does not delay the
 *    re-add, because the re-add carries information the failed attempt never
 *    saw; only the failure count grows.
 * 4. Order: ready keys are handed out in deadline order, FIFO among equal
 *    deadlines (by when each key got its current deadline). Concurrent `get`
 *    callers are served in call order, each with a distinct key.
 * 5. Timers: one timer, for the earliest deadline, and only while some `get`
 *    is waiting. `shutDown` clears it, so nothing keeps the process alive.
 * 6. Failures are counted per key until `forget(key)`; the backoff after n
 *    earlier failures is min(baseBackoffMs * 2^n, maxBackoffMs) with ±10%
 *    jitter.
 *
 * Time is read from `Date.now()` and waited for with `setTimeout`.
 */
export class WorkQueue<K extends string = string> {
  readonly #maxDelayMs: number;
  readonly #backoff: Backoff;
  readonly #onDepthChange: ((depth: number) => void) | undefined;
  readonly #metrics: WorkQueueMetrics | undefined;
  /** Keys ready or waiting; exactly these are in the heap. */
  readonly #held = new Map<K, Entry<K>>();
  /** Keys re-added while in processing; they enter the heap on `done`. */
  readonly #dirty = new Map<K, Entry<K>>();
  /** Keys handed out and not done yet, with when each was queued. */
  readonly #processing = new Map<K, number>();
  readonly #heap = new DeadlineHeap<K>();
  readonly #waiters: ((key: K | undefined) => void)[] = [];
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #stopped = false;
  #reportedDepth = 0;

  constructor(options: WorkQueueOptions = {}) {
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 30_000);
    this.#backoff = new Backoff(options.baseBackoffMs ?? 500, options.maxBackoffMs ?? 300_000);
    this.#onDepthChange = options.onDepthChange;
    this.#metrics = options.metrics;
  }

  /**
   * Schedules key no earlier than now + delayMs (default 0; negative counts
   * as 0). On a held key it only moves the deadline later, capped by
   * maxDelayMs; on a key held by a failure backoff it replaces the backoff.
   * Ignored after `shutDown`.
   */
  add(key: K, delayMs = 0): void {
    if (this.#stopped) return;
    this.#metrics?.added();
    const now = Date.now();
    const at = now + nonNegative(delayMs);
    const entry = this.#entry(key);
    if (entry === undefined) {
      this.#insert(key, { debounceAt: at, windowStart: now, backoffAt: undefined });
      return;
    }
    entry.backoffAt = undefined;
    if (entry.debounceAt === undefined) {
      entry.debounceAt = at;
      entry.windowStart = now;
    } else {
      entry.debounceAt = Math.max(entry.debounceAt, Math.min(at, entry.windowStart + this.#maxDelayMs));
    }
    this.#reschedule(entry);
  }

  /**
   * Records a failure of key and re-adds it delayed by its exponential
   * backoff. On a key held by a debounce deadline the later deadline wins;
   * a key re-added while being processed keeps the re-add's deadline. The
   * failure is counted even after `shutDown`, but nothing is scheduled.
   */
  addRateLimited(key: K): void {
    const now = Date.now();
    const at = now + this.#backoff.next(key);
    if (this.#stopped) return;
    this.#metrics?.retried();
    const entry = this.#entry(key);
    if (entry === undefined) {
      this.#insert(key, { debounceAt: undefined, windowStart: now, backoffAt: at }, this.#processing.get(key));
      return;
    }
    if (this.#processing.has(key) && entry.debounceAt !== undefined) return;
    entry.backoffAt = Math.max(entry.backoffAt ?? at, at);
    this.#reschedule(entry);
  }

  /** Resets key's failure count: call after a success or when giving up on it. */
  forget(key: K): void {
    this.#backoff.forget(key);
  }

  /** Consecutive failures recorded for key since the last `forget`. */
  failures(key: K): number {
    return this.#backoff.failures(key);
  }

  /**
   * Resolves with the next ready key and marks it in processing; the caller
   * must call `done(key)` when finished. Resolves undefined once the queue is
   * shut down, including for calls still waiting at that moment.
   */
  get(): Promise<K | undefined> {
    if (this.#stopped) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      this.#dispatch();
    });
  }

  /**
   * The worker is finished with key, whether it succeeded or failed. A re-add
   * that arrived while it was processed becomes schedulable now. A key that
   * is not in processing is ignored.
   */
  done(key: K): void {
    if (!this.#processing.delete(key)) return;
    const entry = this.#dirty.get(key);
    if (entry === undefined) return;
    this.#dirty.delete(key);
    this.#held.set(key, entry);
    this.#heap.push(entry);
    this.#dispatch();
  }

  /** When the key now in processing was queued (ms since the epoch, as Date.now()); undefined when it is not in processing. */
  queuedAt(key: K): number | undefined {
    return this.#processing.get(key);
  }

  /** Keys ready or waiting, including keys re-added while in processing; not the in-processing keys themselves. */
  get depth(): number {
    return this.#held.size + this.#dirty.size;
  }

  /**
   * Stops the queue: waiting and future `get` calls resolve undefined, held
   * keys are dropped (depth becomes 0) and the timer is cleared. `add` is
   * ignored from now on; `done` stays harmless. Idempotent.
   */
  shutDown(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#held.clear();
    this.#dirty.clear();
    this.#heap.clear();
    this.#reportDepth();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #entry(key: K): Entry<K> | undefined {
    return this.#processing.has(key) ? this.#dirty.get(key) : this.#held.get(key);
  }

  #insert(
    key: K,
    times: Pick<Entry<K>, 'debounceAt' | 'windowStart' | 'backoffAt'>,
    queuedAt = times.windowStart,
  ): void {
    const entry: Entry<K> = { key, ...times, deadline: effectiveDeadline(times), seq: this.#seq++, slot: -1, queuedAt };
    if (this.#processing.has(key)) {
      this.#dirty.set(key, entry);
    } else {
      this.#held.set(key, entry);
      this.#heap.push(entry);
    }
    this.#reportDepth();
    this.#dispatch();
  }

  #reschedule(entry: Entry<K>): void {
    const deadline = effectiveDeadline(entry);
    if (deadline === entry.deadline) return;
    entry.deadline = deadline;
    entry.seq = this.#seq++;
    if (entry.slot >= 0) this.#heap.update(entry);
    this.#dispatch();
  }

  /** Hands ready keys to waiting getters, then re-arms the timer. */
  #dispatch(): void {
    if (this.#waiters.length > 0) {
      const now = Date.now();
      let handed = false;
      for (;;) {
        const top = this.#heap.peek();
        if (top === undefined || top.deadline > now) break;
        const waiter = this.#waiters.shift();
        if (waiter === undefined) break;
        this.#heap.pop();
        this.#held.delete(top.key);
        this.#processing.set(top.key, top.queuedAt);
        this.#metrics?.waited(Math.max(0, now - top.queuedAt) / 1000);
        handed = true;
        waiter(top.key);
      }
      if (handed) this.#reportDepth();
    }
    this.#arm();
  }

  /** Keeps the one timer aimed at the earliest deadline, and only while a getter waits. */
  #arm(): void {
    const next = this.#waiters.length > 0 ? (this.#heap.peek()?.deadline ?? Infinity) : Infinity;
    if (next === this.#timerAt) return;
    this.#clearTimer();
    if (next === Infinity) return;
    this.#timerAt = next;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Infinity;
        this.#dispatch();
      },
      Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #reportDepth(): void {
    const depth = this.depth;
    if (depth === this.#reportedDepth) return;
    this.#reportedDepth = depth;
    this.#onDepthChange?.(depth);
  }
}

function effectiveDeadline(times: Pick<Entry, 'debounceAt' | 'backoffAt'>): number {
  return Math.max(times.debounceAt ?? -Infinity, times.backoffAt ?? -Infinity);
}

function nonNegative(ms: number): number {
  return ms > 0 ? ms : 0;
}

/**
 * A binary min-heap of entries by (deadline, seq) that records each entry's
 * position in it, so a rescheduled entry moves in place instead of leaving
 * stale copies behind.
 */
class DeadlineHeap<K extends string> {
  readonly #items: Entry<K>[] = [];

  peek(): Entry<K> | undefined {
    return this.#items[0];
  }

  push(entry: Entry<K>): void {
    entry.slot = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.slot);
  }

  pop(): Entry<K> | undefined {
    const top = this.#items[0];
    const last = this.#items.pop();
    if (top === undefined || last === undefined) return undefined;
    top.slot = -1;
    if (last !== top) {
      this.#place(last, 0);
      this.#down(0);
    }
    return top;
  }

  /** Restores order after entry's deadline or seq changed. */
  update(entry: Entry<K>): void {
    this.#down(this.#up(entry.slot));
  }

  clear(): void {
    for (const entry of this.#items) entry.slot = -1;
    this.#items.length = 0;
  }

  #up(index: number): number {
    const entry = this.#items[index];
    if (entry === undefined) return index;
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = this.#items[parentIndex];
      if (parent === undefined || !before(entry, parent)) break;
      this.#place(parent, i);
      i = parentIndex;
    }
    this.#place(entry, i);
    return i;
  }

  #down(index: number): void {
    const entry = this.#items[index];
    if (entry === undefined) return;
    let i = index;
    for (;;) {
      const left = this.#items[2 * i + 1];
      const right = this.#items[2 * i + 2];
      let child = left;
      if (right !== undefined && (left === undefined || before(right, left))) child = right;
      if (child === undefined || !before(child, entry)) break;
      const childIndex = child.slot;
      this.#place(child, i);
      i = childIndex;
    }
    this.#place(entry, i);
  }

  #place(entry: Entry<K>, index: number): void {
    this.#items[index] = entry;
    entry.slot = index;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}
