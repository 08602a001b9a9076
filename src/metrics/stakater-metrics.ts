import type { WorkQueueMetrics } from '../queue/work-queue.ts';
import type { Counter, Gauge, Histogram, Registry } from '../prometheus/registry.ts';

/** Stakater's `result` of a reconcile. */
export type StakaterResult = 'success' | 'error' | 'skipped';
/** Every `reason` Stakater's `reloader_skipped_total` has. */
export type StakaterSkipReason = 'ignored_or_not_selected' | 'no_data_change' | 'strategy_not_updated';
/** Stakater's `event_type` of a received event. */
export type StakaterEventType = 'add' | 'update' | 'delete';

/**
 * Stakater Reloader's `reloader_*` families with its names, label names,
 * label values and buckets (v1.4 / chart 2.2), so its dashboards and alert
 * rules keep working. The values of `workload_kind` and `kind` are workload
 * kinds, of `resource_type` configmaps, secrets or namespaces: all bounded.
 * Only the opt-in `reloader_reload_executed_total_by_namespace` has a
 * namespace label, as in Stakater.
 */
export class StakaterMetrics implements WorkQueueMetrics {
  readonly reloadExecutedTotal: Counter<'success'>;
  /** Only with METRICS_COUNT_BY_NAMESPACE=enabled: a series per namespace can be many. */
  readonly reloadExecutedByNamespace: Counter<'success' | 'namespace'> | undefined;
  readonly reconcileTotal: Counter<'result'>;
  readonly reconcileDuration: Histogram<'result'>;
  readonly actionTotal: Counter<'workload_kind' | 'result'>;
  readonly actionLatency: Histogram<'workload_kind'>;
  readonly skippedTotal: Counter<'reason'>;
  readonly workqueueDepth: Gauge;
  readonly workqueueAdds: Counter;
  readonly workqueueLatency: Histogram;
  readonly errorsTotal: Counter<'type'>;
  readonly retriesTotal: Counter;
  readonly eventsReceived: Counter<'event_type' | 'resource_type'>;
  readonly eventsProcessed: Counter<'event_type' | 'resource_type' | 'result'>;
  readonly workloadsScanned: Counter<'kind'>;
  readonly workloadsMatched: Counter<'kind'>;

  constructor(registry: Registry, countByNamespace: boolean) {
    const compatible = ' (Stakater Reloader compatible).';
    this.reloadExecutedTotal = registry.counter({
      name: 'reloader_reload_executed_total',
      help: `Rollouts executed, by success${compatible}`,
      labelNames: ['success'],
    });
    this.reloadExecutedByNamespace = countByNamespace
      ? registry.counter({
          name: 'reloader_reload_executed_total_by_namespace',
          help: `Rollouts executed, by success and namespace; METRICS_COUNT_BY_NAMESPACE=enabled${compatible}`,
          labelNames: ['success', 'namespace'],
        })
      : undefined;
    this.reconcileTotal = registry.counter({
      name: 'reloader_reconcile_total',
      help: `Reconciles by result: success, error or skipped${compatible}`,
      labelNames: ['result'],
    });
    this.reconcileDuration = registry.histogram({
      name: 'reloader_reconcile_duration_seconds',
      help: `Time spent in one reconcile, by result${compatible}`,
      labelNames: ['result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.actionTotal = registry.counter({
      name: 'reloader_action_total',
      help: `Rollouts by workload kind and result, success or error${compatible}`,
      labelNames: ['workload_kind', 'result'],
    });
    this.actionLatency = registry.histogram({
      name: 'reloader_action_latency_seconds',
      help: `Time from the event that queued a workload to its rollout written, by workload kind${compatible}`,
      labelNames: ['workload_kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    });
    this.skippedTotal = registry.counter({
      name: 'reloader_skipped_total',
      help: `Events and reconciles that rolled nothing, by reason${compatible}`,
      labelNames: ['reason'],
    });
    this.workqueueDepth = registry.gauge({
      name: 'reloader_workqueue_depth',
      help: `Workloads waiting to be reconciled${compatible}`,
    });
    this.workqueueAdds = registry.counter({
      name: 'reloader_workqueue_adds_total',
      help: `Workloads added to the work queue${compatible}`,
    });
    this.workqueueLatency = registry.histogram({
      name: 'reloader_workqueue_latency_seconds',
      help: `Time a workload waited in the work queue, debounce and retry backoff included${compatible}`,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    });
    this.errorsTotal = registry.counter({
      name: 'reloader_errors_total',
      help: `Errors by type${compatible}`,
      labelNames: ['type'],
    });
    this.retriesTotal = registry.counter({
      name: 'reloader_retries_total',
      help: `Failed reconciles queued again with backoff${compatible}`,
    });
    this.eventsReceived = registry.counter({
      name: 'reloader_events_received_total',
      help: `List and watch events, by type and resource${compatible}`,
      labelNames: ['event_type', 'resource_type'],
    });
    this.eventsProcessed = registry.counter({
      name: 'reloader_events_processed_total',
      help: `Events handled, by type ("unknown", as in Stakater), resource and result${compatible}`,
      labelNames: ['event_type', 'resource_type', 'result'],
    });
    this.workloadsScanned = registry.counter({
      name: 'reloader_workloads_scanned_total',
      help: `Workloads examined for a reload, by kind${compatible}`,
      labelNames: ['kind'],
    });
    this.workloadsMatched = registry.counter({
      name: 'reloader_workloads_matched_total',
      help: `Workloads found to need a reload, by kind${compatible}`,
      labelNames: ['kind'],
    });
    // Stakater exports both series from the start, so rate() and absent() work before the first rollout.
    this.reloadExecutedTotal.inc({ success: 'true' }, 0);
    this.reloadExecutedTotal.inc({ success: 'false' }, 0);
  }

  reconciled(result: StakaterResult, seconds: number): void {
    this.reconcileTotal.inc({ result });
    this.reconcileDuration.observe({ result }, seconds);
  }

  /** A rollout written (or told to the webhook), or one that failed; `latencySeconds` since its event, when known. */
  acted(kind: string, namespace: string, succeeded: boolean, latencySeconds: number | undefined): void {
    const success = succeeded ? 'true' : 'false';
    this.reloadExecutedTotal.inc({ success });
    this.reloadExecutedByNamespace?.inc({ success, namespace });
    this.actionTotal.inc({ workload_kind: kind, result: succeeded ? 'success' : 'error' });
    if (latencySeconds !== undefined) this.actionLatency.observe({ workload_kind: kind }, latencySeconds);
  }

  skipped(reason: StakaterSkipReason): void {
    this.skippedTotal.inc({ reason });
  }

  eventReceived(type: StakaterEventType, resource: string): void {
    this.eventsReceived.inc({ event_type: type, resource_type: resource });
  }

  /** We never drop an event, so the result is always "success". */
  eventProcessed(resource: string): void {
    this.eventsProcessed.inc({ event_type: 'unknown', resource_type: resource, result: 'success' });
  }

  scanned(kind: string): void {
    this.workloadsScanned.inc({ kind });
  }

  matched(kind: string): void {
    this.workloadsMatched.inc({ kind });
  }

  added(): void {
    this.workqueueAdds.inc();
  }

  retried(): void {
    this.retriesTotal.inc();
  }

  waited(seconds: number): void {
    this.workqueueLatency.observe(seconds);
  }
}
