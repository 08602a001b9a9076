import { asRecord } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';

/**
 * Argo Rollouts with spec.workloadRef (the argo-rollout-workloadref preset):
 * the pod template lives in the Deployment named there, so the Rollout
 * follows what that template references, and a roll sets the Rollout's
 * spec.restartAt. The Deployment itself is left alone: Argo scales it down
 * and reads its template, and rolling it would start a second rollout.
 */

/** The Deployment a Rollout's spec.workloadRef names, if it names one (other kinds are not followed). */
export function workloadRefOf(obj: KubeObject): string | undefined {
  const ref = asRecord(asRecord(obj.spec)?.workloadRef);
  const apiVersion = ref?.apiVersion;
  if (ref?.kind !== 'Deployment' || (apiVersion !== undefined && apiVersion !== 'apps/v1')) return undefined;
  return typeof ref.name === 'string' && ref.name !== '' ? ref.name : undefined;
}
