import { asRecord } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { workloadKey, type WorkloadKey } from '../model/workload-key.ts';
import { kindInfo, type WorkloadKind } from '../model/workload-kind.ts';
import { podConfigUses, type ConfigUse } from '../workload/pod-references.ts';

/**
 * What explain reads of a workload beyond what the controller's cache keeps:
 * each single use of a config by its pod template (the cache keeps them
 * merged), and when its record annotation was last written (from
 * `managedFields`; undefined when nothing owns it there).
 */
export interface WorkloadFacts {
  readonly uses: readonly ConfigUse[];
  readonly recordWrittenAt: number | undefined;
}

/**
 * The same handlers, which also note the facts of every workload listed
 * into `facts`, from the object the list delivers: the
 * cluster is read once.
 */
export function notingFacts(
  kind: WorkloadKind,
  handlers: ReflectorHandlers,
  recordAnnotation: string,
  facts: Map<WorkloadKey, WorkloadFacts>,
): ReflectorHandlers {
  return {
    ...handlers,
    upsert: (obj) => {
      handlers.upsert(obj);
      facts.set(
        workloadKey(kind, obj.metadata.namespace ?? '', obj.metadata.name),
        workloadFacts(kind, obj, recordAnnotation),
      );
    },
  };
}

function workloadFacts(kind: WorkloadKind, obj: KubeObject, recordAnnotation: string): WorkloadFacts {
  let template: Readonly<Record<string, unknown>> | undefined = obj;
  for (const field of kindInfo(kind).templatePath) template = asRecord(template?.[field]);
  return { uses: podConfigUses(template?.spec), recordWrittenAt: fieldWrittenAt(obj, recordAnnotation) };
}

/** The newest time of a `managedFields` entry that owns annotation `name` of the object's metadata. */
function fieldWrittenAt(obj: KubeObject, name: string): number | undefined {
  let newest: number | undefined;
  for (const item of Array.isArray(obj.metadata.managedFields) ? obj.metadata.managedFields : []) {
    const entry = asRecord(item);
    const annotations = asRecord(asRecord(asRecord(entry?.fieldsV1)?.['f:metadata'])?.['f:annotations']);
    const time = typeof entry?.time === 'string' ? Date.parse(entry.time) : Number.NaN;
    if (annotations?.[`f:${name}`] === undefined || Number.isNaN(time)) continue;
    if (newest === undefined || time > newest) newest = time;
  }
  return newest;
}

/** The same handlers, which also note the creation time of every object listed into `created` (by name). */
export function notingCreation(handlers: ReflectorHandlers, created: Map<string, number>): ReflectorHandlers {
  return {
    ...handlers,
    upsert: (obj) => {
      handlers.upsert(obj);
      const at = obj.metadata.creationTimestamp;
      const time = typeof at === 'string' ? Date.parse(at) : Number.NaN;
      if (!Number.isNaN(time)) created.set(obj.metadata.name, time);
    },
  };
}
