import type { ApiClient } from '../kube/api-client.ts';
import { Reflector, type ReflectorHandlers, type ReflectorObserver, type ReflectorTarget } from '../kube/reflector.ts';
import { untilAborted } from './until-aborted.ts';

interface Member {
  readonly target: ReflectorTarget;
  readonly handlers: ReflectorHandlers;
  readonly observer: ReflectorObserver;
  reflector: Reflector;
  stop: AbortController;
  running: Promise<void>;
}

/**
 * The list+watch loops that feed the caches, run together. `relist()` starts
 * each one over with a fresh list, for when what the caches should hold
 * changed (a namespace started or stopped matching the selector).
 */
export class ReflectorSet {
  readonly #client: ApiClient;
  readonly #members: Member[] = [];
  #signal: AbortSignal | undefined;

  constructor(client: ApiClient) {
    this.#client = client;
  }

  add(target: ReflectorTarget, handlers: ReflectorHandlers, observer: ReflectorObserver): void {
    if (this.#signal !== undefined) throw new Error('reflectors must be added before the set runs');
    const reflector = new Reflector(this.#client, target, handlers, observer);
    this.#members.push({ target, handlers, observer, reflector, stop: new AbortController(), running: Promise.resolve() });
  }

  /** Resolves once every member delivered its first full list. */
  async synced(): Promise<void> {
    await Promise.all(this.#members.map((m) => m.reflector.synced));
  }

  hasSynced(): boolean {
    return this.#members.every((m) => m.reflector.hasSynced());
  }

  /** Runs every member until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    for (const m of this.#members) this.#start(m);
    await untilAborted(signal);
    for (const m of this.#members) m.stop.abort();
    await Promise.all(this.#members.map((m) => m.running));
  }

  /** Replaces every member with a new loop that lists from scratch. */
  async relist(): Promise<void> {
    const signal = this.#signal;
    if (signal === undefined || signal.aborted) return;
    await Promise.all(this.#members.map(async (m) => {
      m.stop.abort();
      await m.running;
      m.reflector = new Reflector(this.#client, m.target, m.handlers, m.observer);
      this.#start(m);
    }));
  }

  #start(m: Member): void {
    const signal = this.#signal;
    if (signal === undefined) return;
    m.stop = new AbortController();
    // AbortSignal.any, not a listener on the run's signal: relists would pile listeners up.
    m.running = m.reflector.run(AbortSignal.any([signal, m.stop.signal]));
  }
}
