import { declaredKindInfo, WORKLOAD_KINDS, type WorkloadKind } from './workload-kind.ts';

declare const workloadKeyBrand: unique symbol;

/**
 * One workload, `Kind/namespace/name`: the key of the work queue and the
 * workload cache. Made only by `workloadKey` and read only by
 * `parseWorkloadKey`, so a plain string cannot pass for one.
 */
export type WorkloadKey = string & { readonly [workloadKeyBrand]: 'WorkloadKey' };

/** Kind names and namespaces contain no `/`, so the name may be anything. */
export function workloadKey(kind: WorkloadKind, namespace: string, name: string): WorkloadKey {
  return `${kind}/${namespace}/${name}` as WorkloadKey;
}

export function parseWorkloadKey(key: WorkloadKey): { kind: WorkloadKind; namespace: string; name: string } {
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  const kindName = key.slice(0, first);
  const kind = WORKLOAD_KINDS.find((k) => k.kind === kindName)?.kind ?? declaredKindInfo(kindName)?.kind;
  if (second < 0 || kind === undefined) throw new Error(`malformed workload key "${key}"`);
  return { kind, namespace: key.slice(first + 1, second), name: key.slice(second + 1) };
}
