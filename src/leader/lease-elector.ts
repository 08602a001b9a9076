import { setTimeout as delay } from 'node:timers/promises';
import type { Leadership } from '../controller/leadership.ts';
import type { Logger } from '../logger.ts';
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.ts';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early once `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
};

export interface LeaseElectorOptions {
  readonly store: LeaseStore;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** `stopped`: the run's signal aborted during the attempt. */
type Attempt = 'held' | 'taken' | 'failed' | 'stopped';

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it.
 *
 * A Lease counts as expired when its record has not changed for its lease
 * duration, measured on this replica's own clock from when the change was
 * seen: replicas' clocks never have to agree. The leader renews every retry
 * period; if renewing keeps failing for the renew deadline, or it sees
 * another holder, it steps down at once: the signal given to
 * `startedLeading` aborts, before anyone else can take the Lease (the renew
 * deadline is shorter than the lease duration).
 */
export class LeaseElector implements Leadership {
  readonly #o: LeaseElectorOptions;
  readonly #clock: Clock;
  /** The last Lease version seen, and when it was first seen. */
  #observed: { resourceVersion: string; at: number } | undefined;
  #leading = false;

  constructor(options: LeaseElectorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Campaigns until it leads, then renews until it loses the Lease or `signal` aborts. */
  async run(
    signal: AbortSignal,
    callbacks: { startedLeading(held: AbortSignal): void; stoppedLeading(): void },
  ): Promise<void> {
    while (!signal.aborted && (await this.#attempt(signal, this.#o.renewDeadlineMs)) !== 'held') {
      await this.#clock.sleep(jittered(this.#o.retryPeriodMs), signal);
    }
    if (signal.aborted) return;
    this.#leading = true;
    const held = new AbortController();
    callbacks.startedLeading(held.signal);
    const lost = await this.#renew(signal);
    if (lost) {
      this.#leading = false;
      held.abort(new Error('lost the leader lease'));
    }
    callbacks.stoppedLeading();
  }

  /**
   * Gives the Lease up, so a follower takes over at once instead of after the
   * lease duration. Called once this replica's writes have drained.
   */
  async release(): Promise<void> {
    if (!this.#leading) return;
    this.#leading = false;
    const signal = AbortSignal.timeout(this.#o.renewDeadlineMs);
    try {
      const current = await this.#o.store.get(signal);
      if (current?.record.holderIdentity !== this.#o.identity) return;
      const now = microTime(this.#clock.now());
      await this.#o.store.update(
        { ...current.record, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: now },
        current.resourceVersion,
        signal,
      );
      this.#o.logger.info('released the leader lease');
    } catch (err) {
      this.#o.logger.warn(
        { err: message(err) },
        'could not release the leader lease; another replica takes over once it expires',
      );
    }
  }

  /** Resolves true when the Lease was lost, false when `signal` aborted first. */
  async #renew(signal: AbortSignal): Promise<boolean> {
    let renewedAt = this.#clock.now();
    for (;;) {
      await this.#clock.sleep(this.#o.retryPeriodMs, signal);
      if (signal.aborted) return false;
      const left = renewedAt + this.#o.renewDeadlineMs - this.#clock.now();
      const attempt = left > 0 ? await this.#attempt(signal, left) : 'failed';
      if (attempt === 'stopped') return false;
      if (attempt === 'held') {
        renewedAt = this.#clock.now();
      } else if (attempt === 'taken') {
        return true;
      } else if (this.#clock.now() - renewedAt >= this.#o.renewDeadlineMs) {
        this.#o.logger.warn(
          { renewDeadlineMs: this.#o.renewDeadlineMs },
          'could not renew the leader lease within the renew deadline',
        );
        return true;
      }
    }
  }

  /** One try to take or renew the Lease; each request gives up after `timeoutMs`. */
  async #attempt(signal: AbortSignal, timeoutMs: number): Promise<Attempt> {
    const requestSignal = AbortSignal.any([signal, AbortSignal.timeout(Math.ceil(timeoutMs))]);
    const { store, identity } = this.#o;
    try {
      const current = await store.get(requestSignal);
      const now = this.#clock.now();
      if (current === undefined) {
        this.#see(await store.create(this.#claim(undefined, now), requestSignal), now);
        return 'held';
      }
      this.#see(current, now);
      const holder = current.record.holderIdentity;
      const mine = holder === identity;
      if (!mine && holder !== undefined && holder !== '') {
        if (this.#leading) {
          this.#o.logger.warn({ holder }, 'another replica holds the leader lease now');
          return 'taken';
        }
        if (!this.#expired(current.record, now)) return 'taken';
      }
      this.#see(
        await store.update(this.#claim(current.record, now), current.resourceVersion, requestSignal),
        this.#clock.now(),
      );
      return 'held';
    } catch (err) {
      if (signal.aborted) return 'stopped';
      // A 409 means another replica wrote first; the next look tells who holds it.
      this.#o.logger.debug({ err: message(err) }, 'leader lease attempt failed');
      return 'failed';
    }
  }

  #claim(previous: LeaseRecord | undefined, now: number): LeaseRecord {
    const renewing = previous !== undefined && previous.holderIdentity === this.#o.identity;
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: renewing ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions:
        previous === undefined ? 0 : renewing ? previous.leaseTransitions : previous.leaseTransitions + 1,
    };
  }

  #see(lease: StoredLease, now: number): void {
    if (this.#observed?.resourceVersion !== lease.resourceVersion)
      this.#observed = { resourceVersion: lease.resourceVersion, at: now };
  }

  #expired(record: LeaseRecord, now: number): boolean {
    const durationMs = (record.leaseDurationSeconds ?? Math.ceil(this.#o.leaseDurationMs / 1000)) * 1000;
    return this.#observed === undefined || now - this.#observed.at >= durationMs;
  }
}

/** A Kubernetes MicroTime: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** Up to 20% more, as client-go does, so replicas that started together do not keep colliding. */
function jittered(ms: number): number {
  return ms * (1 + Math.random() * 0.2);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
