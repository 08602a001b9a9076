import { declaredKindId, type DeclaredKindId, type DeclaredWorkloadKind } from './declared-kind.ts';

/** The workload kinds the controller rolls, and where each keeps its pod template. */
export type BuiltInWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Job' | 'Rollout';
/** A built-in kind, or one declared with --workload-kind. */
export type WorkloadKind = BuiltInWorkloadKind | DeclaredKindId;

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
  /** A declared kind: the kind as the API spells it (`kind` is then its Kind.group identity). */
  readonly objectKind?: string;
  /** A declared kind rolled by setting this field to the current time instead of marking the template. */
  readonly restartField?: readonly string[];
}

const POD_TEMPLATE = ['spec', 'template'];

export const WORKLOAD_KINDS: readonly WorkloadKindInfo[] = [
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    apiPrefix: '/apis/apps/v1',
    resource: 'deployments',
    templatePath: POD_TEMPLATE,
    typeName: 'deployments',
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    apiPrefix: '/apis/apps/v1',
    resource: 'statefulsets',
    templatePath: POD_TEMPLATE,
    typeName: 'statefulsets',
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    apiPrefix: '/apis/apps/v1',
    resource: 'daemonsets',
    templatePath: POD_TEMPLATE,
    typeName: 'daemonsets',
  },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    apiPrefix: '/apis/batch/v1',
    resource: 'cronjobs',
    templatePath: ['spec', 'jobTemplate', 'spec', 'template'],
    typeName: 'cronjobs',
  },
  {
    kind: 'Job',
    apiVersion: 'batch/v1',
    apiPrefix: '/apis/batch/v1',
    resource: 'jobs',
    templatePath: POD_TEMPLATE,
    typeName: 'jobs',
  },
  {
    kind: 'Rollout',
    apiVersion: 'argoproj.io/v1alpha1',
    apiPrefix: '/apis/argoproj.io/v1alpha1',
    resource: 'rollouts',
    templatePath: POD_TEMPLATE,
    typeName: 'rollouts',
  },
];

export function kindInfo(kind: WorkloadKind): WorkloadKindInfo {
  const info = WORKLOAD_KINDS.find((k) => k.kind === kind) ?? declaredKindInfo(kind);
  if (info === undefined) throw new Error(`unknown workload kind ${kind}`);
  return info;
}

/** API path of one workload. */
export function workloadPath(kind: WorkloadKind, namespace: string, name: string): string {
  const info = kindInfo(kind);
  return `${info.apiPrefix}/namespaces/${encodeURIComponent(namespace)}/${info.resource}/${encodeURIComponent(name)}`;
}

/**
 * The declared kinds this process serves, once discovery found their
 * resource. Set while the controller runs; what kindInfo() consults after
 * the built-in kinds, so that the cache, the writer and the reconciler treat
 * a declared kind like any other.
 */
const served = new Map<string, WorkloadKindInfo>();

/** Makes a declared kind known under its Kind.group identity, with the resource discovery found. */
export function serveDeclaredKind(kind: DeclaredWorkloadKind, resource: string): WorkloadKindInfo {
  const id = declaredKindId(kind);
  const info: WorkloadKindInfo = {
    kind: id,
    objectKind: kind.kind,
    apiVersion: `${kind.group}/${kind.version}`,
    apiPrefix: `/apis/${kind.group}/${kind.version}`,
    resource,
    templatePath: kind.templatePath,
    typeName: resource,
    ...(kind.restartField === undefined ? {} : { restartField: kind.restartField }),
  };
  served.set(id, info);
  return info;
}

export function declaredKindInfo(id: string): WorkloadKindInfo | undefined {
  return served.get(id);
}
