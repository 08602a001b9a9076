import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { untilAborted } from './until-aborted.ts';

/**
 * Leader election as the controller needs it: `startedLeading` gets a signal
 * that aborts the moment leadership is lost. `release` is called once the
 * writes have drained after a stop, so a follower can take over at once.
 */
export interface Leadership {
  run(
    signal: AbortSignal,
    callbacks: { startedLeading(leadership: AbortSignal): void; stoppedLeading(): void },
  ): Promise<void>;
  release(): Promise<void>;
}

/** Thrown by run() when this replica lost the Lease: it stopped writing, and the process should exit. */
export class LeadershipLost extends Error {
  override readonly name = 'LeadershipLost';
}

/** What a replica does: it keeps its caches current whether it leads or not, and works only while leading. */
export interface LeaderDuties {
  /** Starts the list+watch loops, which run until `running` aborts: `synced` once the caches are, `stopped` once the loops are. */
  watch(running: AbortSignal): { readonly synced: Promise<void>; readonly stopped: Promise<void> };
  /** Reconciles until `stop` aborts, then drains; `writes` aborts in-flight writes when the lead is lost. */
  work(stop: AbortSignal, writes: AbortSignal): Promise<void>;
}

/**
 * One run of a replica under leader election. The caches sync at once (a
 * follower is ready to take over), and work starts only when the lead is
 * acquired, once the caches are synced. Losing the lead aborts in-flight
 * writes, stops the work and the watches, and marks the run `lost`; a
 * shutdown lets in-flight writes finish. Without `leadership` the replica
 * leads from the start.
 */
export class LeaderRun {
  readonly #leadership: Leadership | undefined;
  readonly #duties: LeaderDuties;
  readonly #logger: Logger;
  readonly #metrics: Pick<Metrics, 'setLeader'>;
  #lost = false;

  constructor(
    leadership: Leadership | undefined,
    duties: LeaderDuties,
    logger: Logger,
    metrics: Pick<Metrics, 'setLeader'>,
  ) {
    this.#leadership = leadership;
    this.#duties = duties;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  /** True once the lead was lost (not given up at a shutdown): the process should be restarted. */
  get lost(): boolean {
    return this.#lost;
  }

  /** Runs until `signal` aborts or the lead is lost; resolves once the work drained and the lead was released. */
  async run(signal: AbortSignal): Promise<void> {
    const stopped = new AbortController();
    const running = AbortSignal.any([signal, stopped.signal]);
    const watching = this.#duties.watch(running);
    const loops: Promise<void>[] = [watching.stopped];
    const terms: Promise<void>[] = [];
    // A stop drains the work and lets in-flight writes finish; a lost lead also aborts those writes.
    const lead = (writes: AbortSignal): void => {
      this.#metrics.setLeader(true);
      const stop = AbortSignal.any([running, writes]);
      terms.push(
        watching.synced.then(() => {
          if (!stop.aborted) return this.#duties.work(stop, writes);
        }),
      );
    };
    const leadership = this.#leadership;
    if (leadership === undefined) {
      lead(new AbortController().signal);
    } else {
      this.#metrics.setLeader(false);
      loops.push(
        leadership.run(running, {
          startedLeading: (held) => {
            this.#logger.info('leading: reconciling workloads');
            lead(held);
          },
          stoppedLeading: () => {
            this.#metrics.setLeader(false);
            if (signal.aborted) return;
            this.#lost = true;
            this.#logger.error('lost the leader lease: stopped writing; exiting so a fresh start can rejoin');
            stopped.abort();
          },
        }),
      );
    }
    await untilAborted(running);
    await Promise.all(loops);
    await Promise.all(terms);
    await leadership?.release();
  }
}
