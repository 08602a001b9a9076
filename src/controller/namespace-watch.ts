import type { ApiClient } from '../kube/api-client.ts';
import type { EventRecorder } from '../kube/event-recorder.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import type { Logger } from '../logger.ts';
import { NamespaceHoldCache } from '../reload/namespace-holds.ts';
import type { ControllerSettings } from './controller-settings.ts';
import { countingEvents, type EventMetrics } from './event-counts.ts';
import type { ListAccess } from './list-access.ts';
import type { NamespaceScope } from './namespace-scope.ts';
import { ReflectorSet } from './reflector-set.ts';

export interface NamespaceWatchOptions {
  readonly client: ApiClient;
  readonly logger: Logger;
  readonly access: ListAccess;
  readonly events: EventMetrics;
  /** --namespace-selector: the watch lists only the matching Namespaces, and keeps `scope` current. */
  readonly selector: string | undefined;
  readonly scope: NamespaceScope;
  /** Fed too, where Namespaces hold rolls (not with --namespaces). */
  readonly holds: NamespaceHoldCache | undefined;
  /** The selection changed (once the caches synced, they are listed again). */
  readonly selectionChanged: () => void;
}

/**
 * The one list+watch of Namespaces, for what the controller needs of them:
 * which match --namespace-selector, and what their freeze and
 * maintenance-window annotations say. Undefined when it needs neither.
 * A refused list (403) leaves the Namespaces holding nothing, said once.
 */
export function namespaceWatch(options: NamespaceWatchOptions): ReflectorSet | undefined {
  const { selector, scope, holds, access, logger } = options;
  const fed: ReflectorHandlers[] = [
    ...(selector === undefined ? [] : [scope.handlers(options.selectionChanged)]),
    ...(holds === undefined ? [] : [holds.handlers()]),
  ];
  if (fed.length === 0) return undefined;
  const set = new ReflectorSet(options.client);
  const observer = access.observer('namespaces');
  let told = false;
  // Stakater counts the events of its namespace informer, which it runs only for a selector.
  const handlers =
    selector === undefined
      ? allOf(fed)
      : countingEvents('namespaces', allOf(fed), options.events, (obj) => !scope.excludes(obj.metadata.name));
  set.add(
    { apiPrefix: '/api/v1', resource: 'namespaces', ...(selector === undefined ? {} : { labelSelector: selector }) },
    access.permittedOnList('namespaces', undefined, handlers),
    {
      ...observer,
      forbidden: (err) => {
        observer.forbidden?.(err);
        if (holds === undefined || told) return;
        told = true;
        logger.warn(
          'may not list and watch namespaces: freeze and maintenance-window annotations on Namespaces hold nothing until it may (those on workloads still do)',
        );
      },
    },
  );
  return set;
}

/** Handlers that hand each event to every one of `all`, in order. */
function allOf(all: readonly ReflectorHandlers[]): ReflectorHandlers {
  return {
    listStarted: () => {
      for (const h of all) h.listStarted();
    },
    upsert: (obj) => {
      for (const h of all) h.upsert(obj);
    },
    remove: (obj) => {
      for (const h of all) h.remove(obj);
    },
    listFinished: () => {
      for (const h of all) h.listFinished();
    },
  };
}

/**
 * The Namespaces' freeze and maintenance windows; none with --namespaces,
 * where the controller may not watch Namespaces. A change calls `changed`
 * (which queues the Namespace's workloads), and a value that does not parse
 * is logged and reported on the Namespace.
 */
export function namespaceHoldCache(
  settings: Pick<ControllerSettings, 'namespaces' | 'reconcile'>,
  logger: Logger,
  events: Pick<EventRecorder, 'record'>,
  changed: (namespace: string) => void,
): NamespaceHoldCache | undefined {
  if (settings.namespaces.length > 0) {
    logger.info(
      'with --namespaces, Namespaces are not watched: freeze and maintenance-window annotations on Namespaces hold nothing (those on workloads do)',
    );
    return undefined;
  }
  return new NamespaceHoldCache({
    annotations: settings.reconcile.annotations,
    onChange: changed,
    onInvalid: (namespace, uid, bad) => {
      // Values may be kilobytes long; the Event and the log line need only their start.
      const shown = bad.pattern.length > 100 ? `${bad.pattern.slice(0, 100)}…` : bad.pattern;
      const message = `annotation ${bad.annotation}: ${JSON.stringify(shown)} is not valid (${bad.error}); it is ignored`;
      logger.warn({ object: `Namespace/${namespace}`, annotation: bad.annotation, value: shown }, message);
      events.record(
        { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: namespace, uid },
        'Warning',
        'InvalidAnnotation',
        message,
      );
    },
  });
}
