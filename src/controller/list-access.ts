import { POD_STATUS_RESOURCE, PROVIDER_CLASS_RESOURCE } from '../config/csi-pod-status.ts';
import type { ReflectorHandlers, ReflectorObserver } from '../kube/reflector-types.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { parseWorkloadKey, type WorkloadKey } from '../model/workload-key.ts';

export interface ListAccessOptions {
  readonly metrics: Pick<Metrics, 'countRelist' | 'setForbidden' | 'countWatchRestart' | 'countError'>;
  readonly logger: Logger;
  /** Queues a held workload again once the lists of its namespace's configs are delivered. */
  readonly enqueue: (key: WorkloadKey) => void;
}

/** The lists a workload's configs come from: the CSI ones only for a workload that mounts a SecretProviderClass. */
const CONFIG_LISTS = ['configmaps', 'secrets'];
const CONFIG_AND_CSI_LISTS = [...CONFIG_LISTS, POD_STATUS_RESOURCE, PROVIDER_CLASS_RESOURCE];

/**
 * Which lists the API server refuses (403), and the workloads that wait for
 * them: a workload whose namespace's ConfigMap or Secret list is refused is
 * held, since its configs would only seem missing, and queued again once
 * those lists are delivered. So is one that mounts a SecretProviderClass
 * while the CSI driver's pod statuses or classes may not be listed there. Also what the reflectors report (relists,
 * refusals, watch restarts, errors), logged and counted.
 */
export class ListAccess {
  readonly #options: ListAccessOptions;
  /** Lists refused (403) and not yet delivered since, as `resource/namespace` ('' for all namespaces). */
  readonly #refused = new Set<string>();
  /** Workloads waiting for a refused list of their namespace to be delivered, and the lists they read. */
  readonly #heldForAccess = new Map<WorkloadKey, readonly string[]>();

  constructor(options: ListAccessOptions) {
    this.#options = options;
  }

  /**
   * Holds a workload whose configs would only seem missing, until their
   * lists are delivered; returns whether it did. `mountsProviderClass`: it
   * reads SecretProviderClasses, so the CSI lists count too.
   */
  holdsForAccess(key: WorkloadKey, mountsProviderClass = false): boolean {
    const { namespace } = parseWorkloadKey(key);
    const lists = mountsProviderClass ? CONFIG_AND_CSI_LISTS : CONFIG_LISTS;
    if (!this.#refusedAny(lists, namespace)) return false;
    if (this.#heldForAccess.has(key)) return true;
    this.#heldForAccess.set(key, lists);
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
    const { metrics, logger, enqueue } = this.#options;
    const id = `${resource}/${namespace ?? ''}`;
    return {
      ...handlers,
      listFinished: () => {
        handlers.listFinished();
        if (!this.#refused.delete(id)) return;
        metrics.setForbidden(resource, namespace ?? '', false);
        logger.info({ resource, namespace: namespace ?? '' }, 'list permitted again; the cache is current');
        for (const [key, lists] of this.#heldForAccess) {
          if (this.#refusedAny(lists, parseWorkloadKey(key).namespace)) continue;
          this.#heldForAccess.delete(key);
          enqueue(key);
        }
      },
    };
  }

  /** The reflector observer of the list+watch of `resource` (in `namespace`, or in all). */
  observer(resource: string, namespace?: string): ReflectorObserver {
    const { metrics, logger } = this.#options;
    return {
      relisted: (reason) => {
        metrics.countRelist(resource, reason);
        if (reason !== 'initial' && reason !== 'absent' && reason !== 'forbidden')
          logger.info({ resource, reason }, 'relisted');
      },
      forbidden: (err) => {
        const message = err instanceof Error ? err.message : String(err);
        const first = !this.#refused.has(`${resource}/${namespace ?? ''}`);
        this.#refused.add(`${resource}/${namespace ?? ''}`);
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
        metrics.countWatchRestart(resource, reason);
      },
      streamsUnserved: (why) => {
        logger.info({ resource, why }, 'the API server does not stream lists; listing page by page');
      },
      error: (err, phase) => {
        metrics.countError(`${phase}_${resource}`);
        logger.warn(
          { resource, phase, err: err instanceof Error ? err.message : String(err) },
          'list/watch error; retrying',
        );
      },
    };
  }

  /** Whether a list of one of `resources` covering `namespace` is refused: its configs would only seem missing. */
  #refusedAny(resources: readonly string[], namespace: string): boolean {
    for (const resource of resources) {
      if (this.#refused.has(`${resource}/${namespace}`) || this.#refused.has(`${resource}/`)) return true;
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
