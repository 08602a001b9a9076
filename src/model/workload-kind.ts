/** The workload kinds the controller rolls, and where each keeps its pod template. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Job' | 'Rollout';

export interface WorkloadKindInfo {
  readonly kind: WorkloadKind;
  readonly apiVersion: string;
  /** API path prefix, e.g. /apis/apps/v1. */
  readonly apiPrefix: string;
  /** Plural resource name. */
  readonly resource: string;
  /** Where the pod template sits in the object. */
  readonly templatePath: readonly string[];
  /** Stakater's name for the kind in --ignored-workload-types. */
  readonly typeName: string;
}

const POD_TEMPLATE = ['spec', 'template'];

export const WORKLOAD_KINDS: readonly WorkloadKindInfo[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'deployments', templatePath: POD_TEMPLATE, typeName: 'deployments' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'statefulsets', templatePath: POD_TEMPLATE, typeName: 'statefulsets' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'daemonsets', templatePath: POD_TEMPLATE, typeName: 'daemonsets' },
  { kind: 'CronJob', apiVersion: 'batch/v1', apiPrefix: '/apis/batch/v1', resource: 'cronjobs', templatePath: ['spec', 'jobTemplate', 'spec', 'template'], typeName: 'cronjobs' },
  { kind: 'Job', apiVersion: 'batch/v1', apiPrefix: '/apis/batch/v1', resource: 'jobs', templatePath: POD_TEMPLATE, typeName: 'jobs' },
  { kind: 'Rollout', apiVersion: 'argoproj.io/v1alpha1', apiPrefix: '/apis/argoproj.io/v1alpha1', resource: 'rollouts', templatePath: POD_TEMPLATE, typeName: 'rollouts' },
];

export function kindInfo(kind: WorkloadKind): WorkloadKindInfo {
  const info = WORKLOAD_KINDS.find((k) => k.kind === kind);
  if (info === undefined) throw new Error(`unknown workload kind ${kind}`);
  return info;
}

/** API path of one workload. */
export function workloadPath(kind: WorkloadKind, namespace: string, name: string): string {
  const info = kindInfo(kind);
  return `${info.apiPrefix}/namespaces/${encodeURIComponent(namespace)}/${info.resource}/${encodeURIComponent(name)}`;
}
