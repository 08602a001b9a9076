/** The workload kinds the controller rolls, and where each keeps its pod template. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface WorkloadKindInfo {
  readonly kind: WorkloadKind;
  readonly apiVersion: string;
  /** API path prefix, e.g. /apis/apps/v1. */
  readonly apiPrefix: string;
  /** Plural resource name. */
  readonly resource: string;
}

export const WORKLOAD_KINDS: readonly WorkloadKindInfo[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'deployments' },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'statefulsets' },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', apiPrefix: '/apis/apps/v1', resource: 'daemonsets' },
];

export function kindInfo(kind: WorkloadKind): WorkloadKindInfo {
  const info = WORKLOAD_KINDS.find((k) => k.kind === kind);
  if (info === undefined) throw new Error(`unknown workload kind ${kind}`);
  return info;
}

/** Work-queue key of a workload: Kind/namespace/name. */
export function workloadKey(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

export function parseWorkloadKey(key: string): { kind: WorkloadKind; namespace: string; name: string } {
  const [kind, namespace, name] = key.split('/');
  if (kind === undefined || namespace === undefined || name === undefined || !WORKLOAD_KINDS.some((k) => k.kind === kind)) {
    throw new Error(`malformed workload key "${key}"`);
  }
  return { kind: kind as WorkloadKind, namespace, name };
}
