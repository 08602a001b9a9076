import type { DeclaredWorkloadKind } from '../model/declared-kind.ts';
import type { WorkloadKind } from '../model/workload-kind.ts';
import type { ReconcilerSettings } from '../reload/reconciler.ts';
import type { HaltNotice } from '../reload/wave-halts.ts';
import type { RollNotice } from '../reload/roll-messages.ts';

export interface ControllerSettings {
  /** Namespaced mode: only these namespaces, each watched on its own (Roles suffice). Empty: cluster-wide. */
  readonly namespaces: readonly string[];
  readonly namespacesToIgnore: readonly string[];
  readonly namespaceSelector: string | undefined;
  /** Server-side label selector for ConfigMaps and Secrets. */
  readonly resourceLabelSelector: string | undefined;
  /** Trailing window that gathers config changes into one roll; 0 turns it off. */
  readonly debounceMs: number;
  readonly fieldManager: string;
  readonly workers: number;
  readonly rollsPerSecond: number;
  readonly rollsBurst: number;
  /** Adoption writes per second at most (a first start writes to every workload); the burst is one second's worth. */
  readonly adoptionWritesPerSecond: number;
  readonly enabledLabel: string;
  readonly ignoredWorkloadKinds: ReadonlySet<WorkloadKind>;
  /** Kinds declared with --workload-kind: found through discovery, then watched like the built-in ones. */
  readonly declaredKinds: readonly DeclaredWorkloadKind[];
  /** argo-rollout-workloadref: Rollouts with spec.workloadRef follow the references of the Deployment named there. */
  readonly rolloutWorkloadRef: boolean;
  readonly startCronJobRuns: boolean;
  /** --enable-csi-integration: watch SecretProviderClasses and their pod statuses, where served. */
  readonly csiIntegration: boolean;
  readonly reconcile: ReconcilerSettings;
}

/** What the controller tells the world besides the API server. */
export interface ControllerHooks {
  /** --webhook-url: called instead of rolling; rejects to have the workload retried. */
  readonly webhook?: (notice: RollNotice) => Promise<void>;
  /** Alerts: called after every roll; must not block. */
  readonly rolled?: (notice: RollNotice) => void;
  /** Alerts: called once per halted rollout; must not block. */
  readonly halted?: (notice: HaltNotice) => void;
}

/** The workload's metadata annotation that records what its pods see. */
export function recordAnnotation(hashAnnotation: string): string {
  return `${hashAnnotation}-record`;
}
