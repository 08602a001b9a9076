import type { LogFormat, LogLevel } from '../logger.ts';
import type { AlertSink } from '../notify/alert-message.ts';
import type { MaintenanceWindow } from '../reload/maintenance-window.ts';
import type { ReloadStrategy } from '../reload/reload-strategy.ts';
import type { WaveEnd } from '../reload/rollout-waves.ts';
import type { RollLoopLimit } from '../reload/roll-loop.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import type { WorkloadKind } from '../model/workload-kind.ts';
import type { DeclaredWorkloadKind } from '../model/declared-kind.ts';

/** Annotation names that steer the controller; each has a flag with Stakater Reloader's name and default. */
export interface AnnotationNames {
  readonly auto: string;
  readonly configMapAuto: string;
  readonly secretAuto: string;
  /** Named mode: a comma list of ConfigMap names (anchored regexes). */
  readonly configMapReload: string;
  readonly secretReload: string;
  readonly search: string;
  readonly match: string;
  readonly configMapExclude: string;
  readonly secretExclude: string;
  /** SecretProviderClasses (--enable-csi-integration): typed auto, named list, exclude list. */
  readonly secretProviderClassAuto: string;
  readonly secretProviderClassReload: string;
  readonly secretProviderClassExclude: string;
  readonly ignore: string;
  readonly pausePeriod: string;
  /** When the controller paused a Deployment for its pause period. */
  readonly pausedAt: string;
  /** When the controller last rolled a workload: the times wave gates and the loop breaker read. */
  readonly rolledAt: string;
  /** On an Argo Rollout: `restart` sets spec.restartAt instead of changing the template. */
  readonly rolloutStrategy: string;
  /** On a workload: "true" holds its rolls. */
  readonly freeze: string;
  /** On a workload: the weekly windows its rolls wait for. */
  readonly maintenanceWindow: string;
  /** On a config: its wave plan, the timeout of a wave's health gate, and the value whose change resumes a halted plan. */
  readonly rolloutWaves: string;
  readonly waveTimeout: string;
  readonly resume: string;
  /** On a workload: "true" puts it in the first wave. */
  readonly canary: string;
  /** Written on a workload held by a halted plan. */
  readonly halted: string;
}

/** Leader election with a Lease: only the leader writes; the others keep their caches warm. */
export interface HaOptions {
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** This replica's name in the Lease. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** ALERT_ON_RELOAD: a message to a chat or HTTP receiver after each roll. */
export interface AlertOptions {
  /** `webhook`, Stakater's default name, is read as `raw`. */
  readonly sink: Exclude<AlertSink, 'webhook'>;
  readonly url: string;
  readonly additionalInfo: string | undefined;
  readonly proxy: string | undefined;
  /** The raw sink gets a JSON body (Stakater v2's --alert-structured) instead of text. */
  readonly structured: boolean;
}

/** Everything `mini-reloader run` was asked to do, validated. */
export interface RunOptions {
  /** Undefined: the caller tries ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  /** Namespaced mode when not empty: only these namespaces, each watched on its own. Empty: cluster-wide. */
  readonly namespaces: readonly string[];
  /** Cluster-wide mode only. */
  readonly namespacesToIgnore: readonly string[];
  /** A label selector for namespaces, normalized (Stakater's `k:v` becomes `k=v`). Cluster-wide mode only. */
  readonly namespaceSelector: string | undefined;
  /** A label selector for the ConfigMaps and Secrets watched, normalized. */
  readonly resourceLabelSelector: string | undefined;
  /** 0: no debounce. */
  readonly debounceMs: number;
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly workers: number;
  readonly maxRollsPerSecond: number;
  readonly maxRollsBurst: number;
  readonly adoptionWritesPerSecond: number;
  /** host:port, already checked to be bindable syntax. */
  readonly metricsAddress: string;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  readonly enabledLabel: string;
  readonly hashAnnotation: string;
  readonly autoReloadAll: boolean;
  /** At most one kind: ignoring both would leave nothing to do. */
  readonly resourcesToIgnore: readonly ConfigKind[];
  /** --enable-csi-integration: follow SecretProviderClasses through their pod statuses. */
  readonly csiIntegration: boolean;
  /** Workload kinds never watched or rolled, by their plural type names. */
  readonly ignoredWorkloadTypes: readonly WorkloadKind[];
  /** Custom kinds declared with --workload-kind, each once. */
  readonly workloadKinds: readonly DeclaredWorkloadKind[];
  /** The argo-rollout-workloadref preset: Rollouts with spec.workloadRef follow the referenced Deployment's references. */
  readonly rolloutWorkloadRef: boolean;
  readonly reloadStrategy: ReloadStrategy;
  readonly reloadOnCreate: boolean;
  readonly reloadOnDelete: boolean;
  /** --maintenance-window: when rolls may happen, unless a workload's annotation says otherwise; empty: always. */
  readonly maintenanceWindows: readonly MaintenanceWindow[];
  /** --rollout-waves: the wave plan of configs without one of their own; empty: no waves. */
  readonly rolloutWaves: readonly WaveEnd[];
  /** --wave-timeout: how long a wave's health gate waits. */
  readonly waveTimeoutMs: number;
  /** --max-rolls-per-workload (0: the breaker is off) within --roll-loop-window. */
  readonly rollLoop: RollLoopLimit;
  readonly startCronJobRuns: boolean;
  /** Set: POST each roll there instead of rolling. */
  readonly webhookUrl: string | undefined;
  /** Set: run with leader election. */
  readonly ha: HaOptions | undefined;
  readonly metricsByNamespace: boolean;
  /** Set: alert after each roll. */
  readonly alerts: AlertOptions | undefined;
  readonly annotations: AnnotationNames;
  /** Set: serve heap snapshots and CPU profiles on this host:port. */
  readonly profilingAddress: string | undefined;
  /**
   * Settings that were given but are ignored, each saying what and why
   * (where Stakater Reloader warns and carries on, so does mini-reloader).
   * The caller logs them once its logger exists.
   */
  readonly warnings: readonly string[];
}
