import { isConflict } from '../kube/api-error.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { ConfigId } from '../model/config-id.ts';
import { parseWorkloadKey, type WorkloadKey } from '../model/workload-key.ts';
import type { WorkQueue } from '../queue/work-queue.ts';
import type { Reconciler } from '../reload/reconciler.ts';

/** Node turns a longer setTimeout delay into 1 ms; a later look asked for beyond it comes early and asks again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WorkerLoopOptions {
  readonly queue: WorkQueue<WorkloadKey>;
  readonly reconciler: Pick<Reconciler, 'reconcile' | 'recordFailure'>;
  /** How many keys are reconciled at once. */
  readonly workers: number;
  readonly metrics: Pick<Metrics, 'observeReconcile' | 'countError'>;
  readonly logger: Logger;
  /**
   * Takes a key whose configs cannot be judged now (their list is refused)
   * and returns true; the key is then forgotten, not retried, until whoever
   * took it queues it again.
   */
  readonly holds: (key: WorkloadKey) => boolean;
}

/**
 * The workers: each takes one key at a time from the queue and reconciles it
 * from the caches. Success forgets the key's failures (and queues it again
 * when the result asks for a later look); a failure queues it again with
 * backoff, keeping the causes for the next try's Event text. A failure because
 * the writes were aborted (the lead was lost) is not retried: the next leader
 * redoes it.
 */
export class WorkerLoop {
  readonly #options: WorkerLoopOptions;
  /** Which configs changed since a workload was last reconciled: for the Event text only. */
  readonly #causes = new Map<WorkloadKey, Set<ConfigId>>();
  /**
   * The later looks results ask for (a wave gate's timeout, a window's
   * opening), as timers outside the queue: queued with that delay, the key
   * would be held until then, since a plain add never pulls a held key
   * forward, and news in the meantime (the gate's wave became healthy) would
   * wait for it.
   */
  readonly #laterLooks = new Map<WorkloadKey, NodeJS.Timeout>();

  constructor(options: WorkerLoopOptions) {
    this.#options = options;
  }

  /** Notes that `cause` (`Kind/name` of a config) changed for the workload `key`; the key is queued separately. */
  addCause(key: WorkloadKey, cause: ConfigId): void {
    let causes = this.#causes.get(key);
    if (causes === undefined) {
      causes = new Set();
      this.#causes.set(key, causes);
    }
    causes.add(cause);
  }

  /** Reconciles until `stop` aborts (the queue shuts down) and the keys in flight are done. */
  async run(stop: AbortSignal, writes: AbortSignal): Promise<void> {
    const queue = this.#options.queue;
    const shutDown = (): void => {
      queue.shutDown();
    };
    if (stop.aborted) shutDown();
    else stop.addEventListener('abort', shutDown, { once: true });
    await Promise.all(Array.from({ length: this.#options.workers }, () => this.#worker(writes)));
    for (const timer of this.#laterLooks.values()) clearTimeout(timer);
    this.#laterLooks.clear();
  }

  #lookLater(key: WorkloadKey, delayMs: number): void {
    clearTimeout(this.#laterLooks.get(key));
    const timer = setTimeout(
      () => {
        this.#laterLooks.delete(key);
        this.#options.queue.add(key);
      },
      Math.min(Math.max(0, delayMs), MAX_TIMER_MS),
    );
    timer.unref();
    this.#laterLooks.set(key, timer);
  }

  async #worker(writes: AbortSignal): Promise<void> {
    const { queue, reconciler, metrics, logger } = this.#options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const causes = this.#causes.get(key);
      this.#causes.delete(key);
      const { kind, namespace } = parseWorkloadKey(key);
      const started = performance.now();
      const sinceQueued = (): number => (Date.now() - (queue.queuedAt(key) ?? Date.now())) / 1000;
      try {
        if (this.#options.holds(key)) {
          queue.forget(key);
          continue;
        }
        const result = await reconciler.reconcile(key, causes === undefined ? [] : [...causes], writes);
        metrics.observeReconcile(kind, namespace, result.outcome, (performance.now() - started) / 1000, sinceQueued());
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) this.#lookLater(key, result.requeueAfterMs);
      } catch (err) {
        if (writes.aborted) {
          // Leadership or the run ended mid-write: the next leader redoes it.
          return;
        }
        metrics.observeReconcile(
          kind,
          namespace,
          isConflict(err) ? 'conflict' : 'error',
          (performance.now() - started) / 1000,
          sinceQueued(),
        );
        if (causes !== undefined) for (const c of causes) this.addCause(key, c);
        if (isConflict(err)) {
          // Our cache was behind the object: retry once the watch has caught up.
          logger.debug({ workload: key }, 'write conflicted with a newer version; retrying');
        } else {
          metrics.countError('handler_error');
          logger.error(
            { workload: key, err: err instanceof Error ? err.message : String(err), failures: queue.failures(key) + 1 },
            'reconcile failed; will retry with backoff',
          );
          if (queue.failures(key) === 0) reconciler.recordFailure(key, err);
        }
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  }
}
