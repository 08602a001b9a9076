import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import type { StakaterEventType, StakaterSkipReason } from '../metrics/stakater-metrics.ts';

/** Where the counts go: Stakater's events received, events processed and skips. */
export interface EventMetrics {
  eventReceived(type: StakaterEventType, resource: string): void;
  eventProcessed(resource: string): void;
  skipped(reason: StakaterSkipReason): void;
}

/**
 * `handlers` of one list+watch of `resource`, counting what it delivers as
 * Stakater counts its informers' events: an object the cache does not hold
 * yet (`known`) is an add, else an update (a relist's objects too, as an
 * informer's resync), a removal a delete. With `inScope`, an event in a
 * namespace the controller ignores or did not select counts as skipped
 * (ignored_or_not_selected), any other as processed; without it (the
 * namespaces themselves) it is only received.
 */
export function countingEvents(
  resource: string,
  handlers: ReflectorHandlers,
  metrics: EventMetrics,
  known: (obj: KubeObject) => boolean,
  inScope?: (namespace: string) => boolean,
): ReflectorHandlers {
  const count = (type: StakaterEventType, obj: KubeObject): void => {
    metrics.eventReceived(type, resource);
    if (inScope === undefined) return;
    if (inScope(obj.metadata.namespace ?? '')) metrics.eventProcessed(resource);
    else metrics.skipped('ignored_or_not_selected');
  };
  return {
    listStarted: () => {
      handlers.listStarted();
    },
    upsert: (obj) => {
      count(known(obj) ? 'update' : 'add', obj);
      handlers.upsert(obj);
    },
    remove: (obj) => {
      count('delete', obj);
      handlers.remove(obj);
    },
    listFinished: () => {
      handlers.listFinished();
    },
  };
}
