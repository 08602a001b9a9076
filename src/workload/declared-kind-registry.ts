import { declaredKindId, type DeclaredWorkloadKind } from './declared-kind.ts';
import type { WorkloadKindInfo } from './workload-kind.ts';

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
