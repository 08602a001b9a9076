import type { DeclaredWorkloadKind } from '../model/declared-kind.ts';

/** A preset: a kind users ask about, declared by its name alone (`--workload-kind openkruise-cloneset`). */
export interface KindPreset {
  readonly name: string;
  /** What --help and the README say it is. */
  readonly summary: string;
  readonly kind: Omit<DeclaredWorkloadKind, 'declaration'>;
  /**
   * Argo Rollouts with spec.workloadRef: not a kind of its own but a way of
   * following the built-in Rollout kind, whose pod template then lives in the
   * referenced Deployment.
   */
  readonly workloadRef?: true;
}

const TEMPLATE = ['spec', 'template'];

export const KIND_PRESETS: readonly KindPreset[] = [
  {
    name: 'openkruise-cloneset',
    summary: 'OpenKruise CloneSet (apps.kruise.io/v1alpha1), rolled by its pod template',
    kind: {
      group: 'apps.kruise.io',
      version: 'v1alpha1',
      kind: 'CloneSet',
      resource: 'clonesets',
      templatePath: TEMPLATE,
      restartField: undefined,
    },
  },
  {
    name: 'openkruise-advanced-statefulset',
    summary: 'OpenKruise Advanced StatefulSet (apps.kruise.io/v1beta1), rolled by its pod template',
    kind: {
      group: 'apps.kruise.io',
      version: 'v1beta1',
      kind: 'StatefulSet',
      resource: 'statefulsets',
      templatePath: TEMPLATE,
      restartField: undefined,
    },
  },
  {
    name: 'openkruise-advanced-daemonset',
    summary: 'OpenKruise Advanced DaemonSet (apps.kruise.io/v1alpha1), rolled by its pod template',
    kind: {
      group: 'apps.kruise.io',
      version: 'v1alpha1',
      kind: 'DaemonSet',
      resource: 'daemonsets',
      templatePath: TEMPLATE,
      restartField: undefined,
    },
  },
  {
    name: 'knative-service',
    summary: 'Knative Service (serving.knative.dev/v1): a template change creates a new Revision',
    kind: {
      group: 'serving.knative.dev',
      version: 'v1',
      kind: 'Service',
      resource: 'services',
      templatePath: TEMPLATE,
      restartField: undefined,
    },
  },
  {
    name: 'argo-rollout-workloadref',
    summary:
      'Argo Rollouts with spec.workloadRef: references are read from the referenced Deployment, and a roll sets spec.restartAt',
    kind: {
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      resource: 'rollouts',
      templatePath: TEMPLATE,
      restartField: ['spec', 'restartAt'],
    },
    workloadRef: true,
  },
];

export function kindPreset(name: string): KindPreset | undefined {
  return KIND_PRESETS.find((p) => p.name === name);
}
