import type { ConfigCache } from '../config/config-cache.ts';
import type { WorkloadKey } from '../model/workload-key.ts';
import type { WorkloadCache, WorkloadRecord } from '../workload/workload-cache.ts';

/**
 * The workloads that may wait on `key` in a wave plan: the other followers
 * of each config it references that may have a plan (every config when
 * --rollout-waves is set, else those with the annotation). When its health,
 * record or last roll changes, or it is deleted, their gates may open or
 * halt.
 */
export function waitingOn(
  key: WorkloadKey,
  workload: WorkloadRecord,
  workloads: Pick<WorkloadCache, 'referencing' | 'naming'>,
  configs: Pick<ConfigCache, 'get'>,
  planned: boolean,
): Set<WorkloadKey> {
  const others = new Set<WorkloadKey>();
  const { namespace } = workload;
  for (const ref of workload.references) {
    if (!planned && configs.get(ref.kind, namespace, ref.name)?.waves?.plan === undefined) continue;
    for (const other of workloads.referencing(ref.kind, namespace, ref.name)) others.add(other);
    for (const other of workloads.naming(ref.kind, namespace)) others.add(other);
  }
  others.delete(key);
  return others;
}
