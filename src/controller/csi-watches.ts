import type { CsiCache } from '../config/csi-cache.ts';
import { CSI_API_PREFIX, POD_STATUS_RESOURCE, PROVIDER_CLASS_RESOURCE } from '../config/csi-pod-status.ts';
import type { ReflectorHandlers, ReflectorTarget } from '../kube/reflector-types.ts';
import { countingEvents, type EventMetrics } from './event-counts.ts';

/** One list+watch the CSI integration needs: where, and the handlers that feed its cache. */
export interface CsiWatch {
  readonly target: ReflectorTarget;
  readonly handlers: ReflectorHandlers;
}

/**
 * The two list+watches of --enable-csi-integration in one scope: the pod
 * statuses, whose versions are the data, and the classes, whose labels and
 * annotations steer like a ConfigMap's. Both may be unserved (the driver's
 * CRDs not installed, or installed later): `absentRetryMs` reads a 404 as an
 * empty list and looks again, as for Argo Rollouts. Their events count in
 * Stakater's metrics under the resource names Stakater uses.
 */
export function csiWatches(
  cache: CsiCache,
  namespace: string | undefined,
  absentRetryMs: number,
  metrics: EventMetrics,
  inScope: (namespace: string) => boolean,
): CsiWatch[] {
  const known = (obj: Parameters<ReflectorHandlers['upsert']>[0]): boolean => cache.knows(obj);
  const target = (resource: string): ReflectorTarget => ({
    apiPrefix: CSI_API_PREFIX,
    resource,
    namespace,
    absentRetryMs,
  });
  return [
    {
      target: target(POD_STATUS_RESOURCE),
      handlers: countingEvents(POD_STATUS_RESOURCE, cache.podStatusHandlers(namespace), metrics, known, inScope),
    },
    {
      target: target(PROVIDER_CLASS_RESOURCE),
      handlers: countingEvents(
        PROVIDER_CLASS_RESOURCE,
        cache.providerClassHandlers(namespace),
        metrics,
        known,
        inScope,
      ),
    },
  ];
}
