import { processMetrics } from './prometheus/process-metrics.ts';
import { Registry, type Counter, type Gauge, type Histogram } from './prometheus/registry.ts';
import type { ReconcileOutcome } from './reload/reconciler.ts';

/**
 * What one reconcile came to: the reconciler's outcome, 'conflict' when its
 * write met a newer object (retried once the cache caught up; nothing failed),
 * or 'error' when a write failed otherwise.
 */
export type ReconcileCount = ReconcileOutcome | 'conflict' | 'error';

/** Values of `mini_reloader_rolls_total{result}`; `webhook`: told to --webhook-url instead. */
export type RollResult = 'success' | 'failure' | 'dry_run' | 'webhook';

/** The metric objects, for reading in tests or recording what the methods do not cover. */
export interface MetricHandles {
  readonly rollsTotal: Counter<'kind' | 'result'>;
  readonly reconcileDuration: Histogram<'kind'>;
  readonly reconcileTotal: Counter<'result'>;
  readonly workqueueDepth: Gauge;
  readonly watchRestartsTotal: Counter<'resource' | 'reason'>;
  readonly relistsTotal: Counter<'resource' | 'reason'>;
  readonly cacheObjects: Gauge<'resource'>;
  readonly alertsTotal: Counter<'result'>;
  readonly leader: Gauge;
  readonly forbiddenResources: Gauge<'resource' | 'namespace'>;
  /** Stakater Reloader's names and labels, so its dashboards and alerts keep working. */
  readonly stakater: {
    readonly reloadExecutedTotal: Counter<'success'>;
    /** Only with METRICS_COUNT_BY_NAMESPACE=enabled: a series per namespace can be many. */
    readonly reloadExecutedByNamespace: Counter<'success' | 'namespace'> | undefined;
    readonly reconcileTotal: Counter<'result'>;
    readonly actionTotal: Counter<'workload_kind' | 'result'>;
    readonly skippedTotal: Counter<'reason'>;
    readonly errorsTotal: Counter<'type'>;
    readonly workqueueDepth: Gauge;
  };
}

/**
 * Stakater's `reloader_skipped_total{reason}` for reconciles that rolled
 * nothing, in its own vocabulary where it has a word for it.
 */
const STAKATER_SKIP_REASON: Readonly<Partial<Record<ReconcileCount, string>>> = {
  unchanged: 'no_data_change',
  skipped: 'no_match',
  gone: 'not_found',
};

/**
 * The controller's metrics, in a registry of their own (there is no global
 * one), so tests can create as many as they like. Besides
 * mini-reloader's own `mini_reloader_*` series it keeps Stakater Reloader's
 * `reloader_*` ones with their label values, and the default process metrics.
 */
export class Metrics {
  readonly registry: Registry;
  readonly handles: MetricHandles;

  constructor(options: { countByNamespace?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    this.handles = {
      rollsTotal: registry.counter({ name: 'mini_reloader_rolls_total', help: 'Workload rollouts started, by workload kind and result (success, failure, dry_run).', labelNames: ['kind', 'result'] }),
      reconcileDuration: registry.histogram({
        name: 'mini_reloader_reconcile_duration_seconds', help: 'Time to reconcile one workload, by kind; includes waiting for the roll rate limit.', labelNames: ['kind'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      }),
      reconcileTotal: registry.counter({ name: 'mini_reloader_reconcile_total', help: 'Workload reconciles by result (rolled, dry_run, unchanged, adopted, skipped, error).', labelNames: ['result'] }),
      workqueueDepth: registry.gauge({ name: 'mini_reloader_workqueue_depth', help: 'Workloads waiting to be reconciled.' }),
      watchRestartsTotal: registry.counter({ name: 'mini_reloader_watch_restarts_total', help: 'Watches resumed without a relist, by resource and reason.', labelNames: ['resource', 'reason'] }),
      relistsTotal: registry.counter({ name: 'mini_reloader_relists_total', help: 'Full lists, by resource and reason (initial, gone, error).', labelNames: ['resource', 'reason'] }),
      cacheObjects: registry.gauge({ name: 'mini_reloader_cache_objects', help: 'Objects held in the caches, by resource.', labelNames: ['resource'] }),
      alertsTotal: registry.counter({ name: 'mini_reloader_alerts_total', help: 'Reload alerts by result (sent, failed, dropped when the queue was full).', labelNames: ['result'] }),
      leader: registry.gauge({ name: 'mini_reloader_leader', help: '1 while this replica leads (or runs without leader election), else 0.' }),
      forbiddenResources: registry.gauge({
        name: 'mini_reloader_forbidden_resources', help: '1 while the controller may not list this resource in this namespace ("" for all namespaces): that cache is empty and retried, else 0.',
        labelNames: ['resource', 'namespace'],
      }),
      stakater: {
        reloadExecutedTotal: registry.counter({ name: 'reloader_reload_executed_total', help: 'Rollouts executed (Stakater Reloader compatible).', labelNames: ['success'] }),
        reloadExecutedByNamespace: options.countByNamespace === true
          ? registry.counter({ name: 'reloader_reload_executed_total_by_namespace', help: 'Rollouts executed, by namespace (Stakater Reloader compatible; METRICS_COUNT_BY_NAMESPACE=enabled).', labelNames: ['success', 'namespace'] })
          : undefined,
        reconcileTotal: registry.counter({ name: 'reloader_reconcile_total', help: 'Reconciles by result, success or error (Stakater Reloader compatible).', labelNames: ['result'] }),
        actionTotal: registry.counter({ name: 'reloader_action_total', help: 'Rollouts by workload kind and result, success or error (Stakater Reloader compatible).', labelNames: ['workload_kind', 'result'] }),
        skippedTotal: registry.counter({ name: 'reloader_skipped_total', help: 'Reconciles that rolled nothing, by reason (Stakater Reloader compatible).', labelNames: ['reason'] }),
        errorsTotal: registry.counter({ name: 'reloader_errors_total', help: 'Errors by type (Stakater Reloader compatible).', labelNames: ['type'] }),
        workqueueDepth: registry.gauge({ name: 'reloader_workqueue_depth', help: 'Workloads waiting to be reconciled (Stakater Reloader compatible).' }),
      },
    };
    // Stakater exports both series from the start, so rate() and absent() work before the first rollout.
    this.handles.stakater.reloadExecutedTotal.inc({ success: 'true' }, 0);
    this.handles.stakater.reloadExecutedTotal.inc({ success: 'false' }, 0);
    registry.register(processMetrics());
  }

  /**
   * Records one reconcile of a workload of `kind` under every name that
   * covers it. A failed write counts as a failed rollout; a conflict does
   * not, since it is retried.
   */
  observeReconcile(kind: string, namespace: string, result: ReconcileCount, seconds: number): void {
    const h = this.handles;
    h.reconcileDuration.observe({ kind }, seconds);
    h.reconcileTotal.inc({ result: result === 'gone' ? 'skipped' : result === 'resumed' ? 'rolled' : result });
    h.stakater.reconcileTotal.inc({ result: result === 'error' || result === 'conflict' ? 'error' : 'success' });
    switch (result) {
      case 'rolled':
        this.countRoll(kind, namespace, 'success');
        break;
      case 'notified':
        this.countRoll(kind, namespace, 'webhook');
        break;
      case 'error':
        this.countRoll(kind, namespace, 'failure');
        break;
      case 'dry_run':
        this.countRoll(kind, namespace, 'dry_run');
        break;
      case 'adopted':
      case 'recorded':
      case 'resumed':
      case 'conflict':
        break;
      case 'unchanged':
      case 'skipped':
      case 'gone':
        h.stakater.skippedTotal.inc({ reason: STAKATER_SKIP_REASON[result] ?? result });
        break;
    }
  }

  /** One rollout started (or failed, or would have started in dry-run mode). */
  countRoll(kind: string, namespace: string, result: RollResult): void {
    const h = this.handles;
    h.rollsTotal.inc({ kind, result });
    if (result === 'dry_run') return;
    // Stakater counts a webhook call as its reload.
    const success = result === 'failure' ? 'false' : 'true';
    h.stakater.reloadExecutedTotal.inc({ success });
    h.stakater.reloadExecutedByNamespace?.inc({ success, namespace });
    h.stakater.actionTotal.inc({ workload_kind: kind, result: success === 'true' ? 'success' : 'error' });
  }

  countAlert(result: 'sent' | 'failed' | 'dropped'): void {
    this.handles.alertsTotal.inc({ result });
  }

  setLeader(leading: boolean): void {
    this.handles.leader.set(leading ? 1 : 0);
  }

  setForbidden(resource: string, namespace: string, forbidden: boolean): void {
    this.handles.forbiddenResources.set({ resource, namespace }, forbidden ? 1 : 0);
  }

  setQueueDepth(depth: number): void {
    this.handles.workqueueDepth.set(depth);
    this.handles.stakater.workqueueDepth.set(depth);
  }

  countWatchRestart(resource: string, reason: string): void {
    this.handles.watchRestartsTotal.inc({ resource, reason });
  }

  countRelist(resource: string, reason: string): void {
    this.handles.relistsTotal.inc({ resource, reason });
  }

  setCacheSize(resource: string, objects: number): void {
    this.handles.cacheObjects.set({ resource }, objects);
  }

  countError(type: string): void {
    this.handles.stakater.errorsTotal.inc({ type });
  }
}

/** A fresh registry with every metric registered; call once per controller (or per test). */
export function createMetrics(options: { countByNamespace?: boolean } = {}): Metrics {
  return new Metrics(options);
}
