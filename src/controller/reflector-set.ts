import type { ApiClient } from '../kube/api-client.ts';
import { Reflector } from '../kube/reflector.ts';
import type { ReflectorHandlers, ReflectorObserver, ReflectorTarget } from '../kube/reflector-types.ts';
import { untilAborted } from './until-aborted.ts';

interface Member {
  readonly target: ReflectorTarget;
  readonly handlers: ReflectorHandlers;
  readonly observer: ReflectorObserver;
  reflector: Reflector;
  stop: AbortController;
  running: Promise<void>;
  /** Resolves when the current reflector first synced or was refused a list. */
  settled: Promise<void>;
  /** Resolves `settled` of the current reflector. */
  settle: { refused: () => void };
}

/**
 * The list+watch loops that feed the caches, run together. `relist()` starts
 * each one over with a fresh list, for when what the caches should hold
 * changed (a namespace started or stopped matching the selector).
 *
 * A member whose list is refused (403) does not hold up the others: the set
 * counts as synced once every member delivered a full list or was refused
 * one. Its observer's `forbidden` says which, so that the caller judges
 * nothing against a cache that only seems empty; the member keeps retrying.
 */
export class ReflectorSet {
  readonly #client: ApiClient;
  readonly #members: Member[] = [];
  #signal: AbortSignal | undefined;
  /** The relist under way, if any: the next one starts after it, so no two replace a member at once. */
  #relisting: Promise<void> = Promise.resolve();

  constructor(client: ApiClient) {
    this.#client = client;
  }

  add(target: ReflectorTarget, handlers: ReflectorHandlers, observer: ReflectorObserver): void {
    if (this.#signal !== undefined) throw new Error('reflectors must be added before the set runs');
    const settle = { refused: (): void => undefined };
    const member = {
      target,
      handlers,
      observer: {
        ...observer,
        forbidden: (err: unknown) => {
          settle.refused();
          observer.forbidden?.(err);
        },
      },
      stop: new AbortController(),
      running: Promise.resolve(),
      settle,
    };
    this.#members.push({ ...member, ...this.#fresh(member) });
  }

  /** Resolves once every member delivered its first full list or was refused it. */
  async synced(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.settled));
  }

  /** Runs every member until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    for (const m of this.#members) this.#start(m);
    await untilAborted(signal);
    for (const m of this.#members) m.stop.abort();
    await Promise.all(this.#members.map((m) => m.running));
  }

  /**
   * Replaces every member with a new loop that lists from scratch. Calls
   * that overlap run one after the other: two at once would each start a
   * loop for the same member, and the first would run on unstopped.
   */
  relist(): Promise<void> {
    const next = this.#relisting.then(() => this.#relistNow());
    this.#relisting = next.catch(() => undefined);
    return next;
  }

  async #relistNow(): Promise<void> {
    const signal = this.#signal;
    if (signal === undefined || signal.aborted) return;
    await Promise.all(
      this.#members.map(async (m) => {
        m.stop.abort();
        await m.running;
        Object.assign(m, this.#fresh(m));
        this.#start(m);
      }),
    );
  }

  /**
   * A new loop for a member, not yet started. It lists page by page from the
   * start when the loop it replaces found that the server does not stream lists.
   */
  #fresh(
    m: Pick<Member, 'target' | 'handlers' | 'observer' | 'settle'> & { readonly reflector?: Reflector },
  ): Pick<Member, 'reflector' | 'settled'> {
    const reflector = new Reflector(this.#client, m.target, m.handlers, m.observer, {
      streams: m.reflector?.streams ?? true,
    });
    const refusedOnce = new Promise<void>((resolve) => {
      m.settle.refused = resolve;
    });
    return { reflector, settled: Promise.race([reflector.synced, refusedOnce]) };
  }

  #start(m: Member): void {
    const signal = this.#signal;
    // Once the set stops, `run` waits only for the loops it saw: start no other.
    if (signal === undefined || signal.aborted) return;
    m.stop = new AbortController();
    // AbortSignal.any, not a listener on the run's signal: relists would pile listeners up.
    m.running = m.reflector.run(AbortSignal.any([signal, m.stop.signal]));
  }
}
