import type { ApiRequestMetrics } from '../kube/api-client.ts';
import { packageVersion } from '../prometheus/build-info.ts';
import { processMetrics } from '../prometheus/process-metrics.ts';
import { Registry, type Counter, type Gauge, type Histogram } from '../prometheus/registry.ts';
import { RestClientMetrics } from './rest-client-metrics.ts';
import { StakaterMetrics, type StakaterResult, type StakaterSkipReason } from './stakater-metrics.ts';
import type { WorkQueueMetrics } from '../queue/work-queue.ts';
import type { ReconcileOutcome } from '../reload/reconciler.ts';

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
  readonly heldWorkloads: Gauge<'reason'>;
  readonly rolloutHaltsTotal: Counter;
  readonly forbiddenResources: Gauge<'resource' | 'namespace'>;
  readonly buildInfo: Gauge<'version'>;
  /** Stakater Reloader's names and labels, so its dashboards and alerts keep working. */
  readonly stakater: StakaterMetrics;
  /** client-go's, fed by our API client. */
  readonly restClient: RestClientMetrics;
}

/** Stakater's reconcile result for ours; none for a conflict: it is retried, and the retry counts. */
const STAKATER_RESULT: Readonly<Record<ReconcileCount, StakaterResult | undefined>> = {
  rolled: 'success',
  dry_run: 'success',
  notified: 'success',
  adopted: 'success',
  recorded: 'success',
  resumed: 'success',
  gone: 'success',
  unchanged: 'skipped',
  skipped: 'skipped',
  waiting: 'skipped',
  error: 'error',
  conflict: undefined,
};

/**
 * Why a reconcile rolled nothing, in Stakater's words: its config is as
 * recorded (no_data_change); the workload opted out or follows no config
 * (ignored_or_not_selected); it would roll, but waits for a config it needs
 * (strategy_not_updated: it matched, and was not updated).
 */
const STAKATER_SKIP_REASON: Readonly<Partial<Record<ReconcileCount, StakaterSkipReason>>> = {
  unchanged: 'no_data_change',
  skipped: 'ignored_or_not_selected',
  waiting: 'strategy_not_updated',
};

/** Outcomes that mean the workload needed a reload: Stakater's "matched". */
const MATCHED: ReadonlySet<ReconcileCount> = new Set(['rolled', 'dry_run', 'notified', 'error']);

/**
 * The controller's metrics, in a registry of their own (there is no global
 * one), so tests can create as many as they like. Besides
 * mini-reloader's own `mini_reloader_*` series it keeps Stakater Reloader's
 * `reloader_*` ones and client-go's `rest_client_*` with their label values,
 * and the default process metrics. No label has a value per object:
 * namespaces appear only in mini_reloader_forbidden_resources (the
 * namespaces the controller is given) and, opt-in, in Stakater's by-namespace counter.
 */
export class Metrics {
  readonly registry: Registry;
  readonly handles: MetricHandles;

  constructor(options: { countByNamespace?: boolean; version?: string } = {}) {
    const registry = new Registry();
    this.registry = registry;
    this.handles = {
      rollsTotal: registry.counter({
        name: 'mini_reloader_rolls_total',
        help: 'Workload rollouts started, by workload kind and result (success, failure, dry_run, webhook).',
        labelNames: ['kind', 'result'],
      }),
      reconcileDuration: registry.histogram({
        name: 'mini_reloader_reconcile_duration_seconds',
        help: 'Time to reconcile one workload, by kind; includes waiting for the roll rate limit.',
        labelNames: ['kind'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      }),
      reconcileTotal: registry.counter({
        name: 'mini_reloader_reconcile_total',
        help: 'Workload reconciles by result (rolled, dry_run, notified, unchanged, adopted, recorded, skipped, conflict, error).',
        labelNames: ['result'],
      }),
      workqueueDepth: registry.gauge({
        name: 'mini_reloader_workqueue_depth',
        help: 'Workloads waiting to be reconciled.',
      }),
      watchRestartsTotal: registry.counter({
        name: 'mini_reloader_watch_restarts_total',
        help: 'Watches resumed without a relist, by resource and reason.',
        labelNames: ['resource', 'reason'],
      }),
      relistsTotal: registry.counter({
        name: 'mini_reloader_relists_total',
        help: 'Full lists, by resource and reason (initial, gone, error).',
        labelNames: ['resource', 'reason'],
      }),
      cacheObjects: registry.gauge({
        name: 'mini_reloader_cache_objects',
        help: 'Objects held in the caches, by resource.',
        labelNames: ['resource'],
      }),
      alertsTotal: registry.counter({
        name: 'mini_reloader_alerts_total',
        help: 'Reload alerts by result (sent, failed, dropped when the queue was full).',
        labelNames: ['result'],
      }),
      heldWorkloads: registry.gauge({
        name: 'mini_reloader_held_workloads',
        help: 'Workloads whose roll is held, by reason (freeze, maintenance-window, config-missing, pause-period, wave, halted).',
        labelNames: ['reason'],
      }),
      rolloutHaltsTotal: registry.counter({
        name: 'mini_reloader_rollout_halts_total',
        help: 'Rollouts in waves halted because a wave failed its health gate.',
      }),
      leader: registry.gauge({
        name: 'mini_reloader_leader',
        help: '1 while this replica leads (or runs without leader election), else 0.',
      }),
      forbiddenResources: registry.gauge({
        name: 'mini_reloader_forbidden_resources',
        help: '1 while the controller may not list this resource in this namespace ("" for all namespaces): that cache is empty and retried, else 0.',
        labelNames: ['resource', 'namespace'],
      }),
      buildInfo: registry.gauge({
        name: 'mini_reloader_build_info',
        help: 'Always 1; the version of mini-reloader that runs.',
        labelNames: ['version'],
      }),
      stakater: new StakaterMetrics(registry, options.countByNamespace === true),
      restClient: new RestClientMetrics(registry),
    };
    this.handles.buildInfo.set({ version: options.version ?? packageVersion() }, 1);
    registry.register(processMetrics());
  }

  /** What the work queue reports: Stakater's workqueue adds, latency and retries. */
  get queue(): WorkQueueMetrics {
    return this.handles.stakater;
  }

  /** What the API client reports: client-go's rest_client_* families. */
  get apiRequests(): ApiRequestMetrics {
    return this.handles.restClient;
  }

  /**
   * Records one reconcile of a workload of `kind` under every name that
   * covers it. A failed write counts as a failed rollout; a conflict does
   * not, since it is retried. `sinceQueuedSeconds`: from the event that
   * queued the workload to now, for Stakater's action latency.
   */
  observeReconcile(
    kind: string,
    namespace: string,
    result: ReconcileCount,
    seconds: number,
    sinceQueuedSeconds?: number,
  ): void {
    const h = this.handles;
    h.reconcileDuration.observe({ kind }, seconds);
    h.reconcileTotal.inc({
      result: result === 'gone' || result === 'waiting' ? 'skipped' : result === 'resumed' ? 'rolled' : result,
    });
    const stakaterResult = STAKATER_RESULT[result];
    if (stakaterResult !== undefined) h.stakater.reconciled(stakaterResult, seconds);
    if (result !== 'gone' && result !== 'conflict') h.stakater.scanned(kind);
    if (MATCHED.has(result)) h.stakater.matched(kind);
    const reason = STAKATER_SKIP_REASON[result];
    if (reason !== undefined) h.stakater.skipped(reason);
    switch (result) {
      case 'rolled':
        this.countRoll(kind, namespace, 'success', sinceQueuedSeconds);
        break;
      case 'notified':
        this.countRoll(kind, namespace, 'webhook', sinceQueuedSeconds);
        break;
      case 'error':
        this.countRoll(kind, namespace, 'failure', sinceQueuedSeconds);
        break;
      case 'dry_run':
        this.countRoll(kind, namespace, 'dry_run');
        break;
      default:
        break;
    }
  }

  /** One rollout started (or failed, or would have started in dry-run mode). */
  countRoll(kind: string, namespace: string, result: RollResult, sinceQueuedSeconds?: number): void {
    this.handles.rollsTotal.inc({ kind, result });
    // Stakater counts a webhook call as its reload.
    if (result !== 'dry_run') this.handles.stakater.acted(kind, namespace, result !== 'failure', sinceQueuedSeconds);
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

  setHeld(reason: string, count: number): void {
    this.handles.heldWorkloads.set({ reason }, count);
  }

  countHalt(): void {
    this.handles.rolloutHaltsTotal.inc();
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
export function createMetrics(options: { countByNamespace?: boolean; version?: string } = {}): Metrics {
  return new Metrics(options);
}
