import { POD_STATUS_RESOURCE, PROVIDER_CLASS_RESOURCE } from '../config/csi-pod-status.ts';
import type { ReflectorHandlers, ReflectorObserver } from '../kube/reflector-types.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { parseWorkloadKey, type WorkloadKey } from '../model/workload-key.ts';

export interface ListAccessOptions {
  readonly metrics: Pick<Metrics, 'countRelist' | 'setForbidden' | 'countWatchRestart' | 'countError' | 'setHeld'>;
  readonly logger: Logger;
  /** Lets a held workload go once the lists of its namespace's configs are current again: it is seen and queued then. */
  readonly release: (key: WorkloadKey) => void;
  /** How long a watch answered again must stay up before its list counts as current; default REPLAY_SETTLE_MS. */
  readonly replaySettleMs?: number;
}

/**
 * A watch resumed from a resourceVersion is answered before the changes made
 * since then arrive on it (the API server sends them right after, from its
 * watch cache, within milliseconds); its list counts as current this long
 * after the answer, once they are in.
 */
const REPLAY_SETTLE_MS = 1000;

/** The lists a workload's configs come from: the CSI ones only for a workload that mounts a SecretProviderClass. */
const CONFIG_LISTS = ['configmaps', 'secrets'];
const CONFIG_AND_CSI_LISTS = [...CONFIG_LISTS, POD_STATUS_RESOURCE, PROVIDER_CLASS_RESOURCE];

/**
 * Which lists are not current, and the workloads that wait for them. A list
 * is not current while the API server refuses it (403), and while its watch
 * is interrupted: from the end of a watch (or a relist after a 410) until
 * the next watch has been answered for a moment (REPLAY_SETTLE_MS) or the
 * relist is delivered. A workload whose
 * namespace's ConfigMap or Secret list is not current is held, since its
 * configs would only seem missing or unchanged (a change made meanwhile is
 * not in the cache yet: after an API server restart the watches come back
 * one by one, and a roll decided then would split one change in two, or
 * adopt a workload with a config it cannot see), and released once those
 * lists are current. So is one that mounts a SecretProviderClass while the
 * CSI driver's pod statuses or classes are not current there. Also what the
 * reflectors report (relists, refusals, watch restarts, errors), logged and
 * counted.
 */
export class ListAccess {
  readonly #options: ListAccessOptions;
  /** Lists refused (403) and not yet delivered since, as `resource/namespace` ('' for all namespaces). */
  readonly #refused = new Set<string>();
  /** Lists whose watch ended and is not answered again yet, or that are being listed again: same ids. */
  readonly #interrupted = new Set<string>();
  /** The lists whose watch was answered again, until they count as current. */
  readonly #settling = new Map<string, NodeJS.Timeout>();
  /** Workloads waiting for a list of their namespace to be current, and the lists they read. */
  readonly #heldUntilCurrent = new Map<WorkloadKey, readonly string[]>();

  constructor(options: ListAccessOptions) {
    this.#options = options;
  }

  /**
   * Holds a workload whose configs' lists are not current (refused, or their
   * watch interrupted), until they are; returns whether it did. A held
   * workload is released once, through `release`. `mountsProviderClass`: it
   * reads SecretProviderClasses, so the CSI lists count too.
   */
  holdsUntilCurrent(key: WorkloadKey, mountsProviderClass = false): boolean {
    // Every list current, as nearly always: this runs for each workload event.
    if (this.#refused.size === 0 && this.#interrupted.size === 0) return false;
    const { namespace } = parseWorkloadKey(key);
    const lists = mountsProviderClass ? CONFIG_AND_CSI_LISTS : CONFIG_LISTS;
    if (!this.#notCurrent(lists, namespace)) return false;
    if (this.#heldUntilCurrent.has(key)) return true;
    this.#heldUntilCurrent.set(key, lists);
    this.#countHeld();
    // A watch comes back within its backoff (30 s at most): routine, told once for all when it is back. Until
    // then the controller has not seen the workload: nothing about it is logged, and its first sight comes later.
    if (!this.#inAny(this.#refused, lists, namespace)) return true;
    this.#options.logger.warn(
      { workload: key, namespace },
      mountsProviderClass
        ? 'held: the ConfigMaps, Secrets or SecretProviderClass pod statuses of its namespace may not be listed, so its configs would only seem missing; it waits until they are listed'
        : 'held: the ConfigMaps or Secrets of its namespace may not be listed, so its configs would only seem missing; it waits until they are listed',
    );
    return true;
  }

  /** `handlers`, telling this when a list of `resource` is delivered, maybe after refusals. */
  permittedOnList(resource: string, namespace: string | undefined, handlers: ReflectorHandlers): ReflectorHandlers {
    return {
      ...handlers,
      listFinished: () => {
        handlers.listFinished();
        this.#current(resource, namespace);
      },
    };
  }

  /** A list of `resource` was delivered, or its watch answered again: release whoever no longer waits. */
  #current(resource: string, namespace: string | undefined): void {
    const { metrics, logger, release } = this.#options;
    const id = `${resource}/${namespace ?? ''}`;
    this.#stopSettling(id);
    const wasRefused = this.#refused.delete(id);
    if (!this.#interrupted.delete(id) && !wasRefused) return;
    if (wasRefused) {
      metrics.setForbidden(resource, namespace ?? '', false);
      logger.info({ resource, namespace: namespace ?? '' }, 'list permitted again; the cache is current');
    }
    let released = 0;
    for (const [key, lists] of this.#heldUntilCurrent) {
      if (this.#notCurrent(lists, parseWorkloadKey(key).namespace)) continue;
      this.#heldUntilCurrent.delete(key);
      release(key);
      released++;
    }
    if (released > 0) this.#countHeld();
    if (released > 0 && !wasRefused)
      logger.info(
        { resource, namespace: namespace ?? '', workloads: released },
        'watch back; the workloads held while it was interrupted are queued',
      );
  }

  /** The reflector observer of the list+watch of `resource` (in `namespace`, or in all). */
  observer(resource: string, namespace?: string): ReflectorObserver {
    const { metrics, logger } = this.#options;
    const id = `${resource}/${namespace ?? ''}`;
    return {
      relisted: (reason) => {
        metrics.countRelist(resource, reason);
        // Not for a list that was never delivered (first, refused) or a resource not served (absent): nothing to lag behind.
        if (reason === 'gone' || reason === 'error') this.#interrupt(id);
        if (reason !== 'initial' && reason !== 'absent' && reason !== 'forbidden')
          logger.info({ resource, reason }, 'relisted');
      },
      forbidden: (err) => {
        const message = err instanceof Error ? err.message : String(err);
        const first = !this.#refused.has(id);
        this.#refused.add(id);
        metrics.setForbidden(resource, namespace ?? '', true);
        const where = namespace === undefined ? 'in all namespaces' : `in namespace ${namespace}`;
        const fields = {
          namespace: namespace ?? '',
          verb: 'list',
          resource,
          identity: requesterOf(message),
          err: message,
        };
        const text = `may not list ${resource} ${where}: that cache stays empty and the list is retried with backoff; everything else is served`;
        if (first) logger.warn(fields, text);
        else logger.debug(fields, text);
      },
      watchRestarted: (reason) => {
        this.#interrupt(id);
        metrics.countWatchRestart(resource, reason);
      },
      watchOpened: () => {
        if (!this.#interrupted.has(id)) return;
        const timer = setTimeout(() => {
          this.#current(resource, namespace);
        }, this.#options.replaySettleMs ?? REPLAY_SETTLE_MS);
        timer.unref();
        this.#settling.set(id, timer);
      },
      streamsUnserved: (why) => {
        logger.info({ resource, why }, 'the API server does not stream lists; listing page by page');
      },
      error: (err, phase) => {
        if (phase !== 'handler') this.#interrupt(id);
        metrics.countError(`${phase}_${resource}`);
        logger.warn(
          { resource, phase, err: err instanceof Error ? err.message : String(err) },
          'list/watch error; retrying',
        );
      },
    };
  }

  /** In mini_reloader_held_workloads, beside the holds `decide` makes: a watch down for long shows there. */
  #countHeld(): void {
    this.#options.metrics.setHeld('list-not-current', this.#heldUntilCurrent.size);
  }

  /** The watch of a list ended, or it is listed again: not current until it is back (a settling answer was early). */
  #interrupt(id: string): void {
    this.#stopSettling(id);
    this.#interrupted.add(id);
  }

  #stopSettling(id: string): void {
    clearTimeout(this.#settling.get(id));
    this.#settling.delete(id);
  }

  /** Whether a list of one of `resources` covering `namespace` is refused or interrupted. */
  #notCurrent(resources: readonly string[], namespace: string): boolean {
    return this.#inAny(this.#refused, resources, namespace) || this.#inAny(this.#interrupted, resources, namespace);
  }

  /** Whether `lists` holds a list of one of `resources` covering `namespace`. */
  #inAny(lists: ReadonlySet<string>, resources: readonly string[], namespace: string): boolean {
    for (const resource of resources) {
      if (lists.has(`${resource}/${namespace}`) || lists.has(`${resource}/`)) return true;
    }
    return false;
  }
}

/** The user a 403 Status message names (`... User "system:serviceaccount:ns:sa" cannot list ...`), if it names one. */
function requesterOf(message: string): string | undefined {
  const start = message.indexOf('User "');
  if (start < 0) return undefined;
  const end = message.indexOf('"', start + 6);
  return end < 0 ? undefined : message.slice(start + 6, end);
}
