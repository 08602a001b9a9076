import type { ConfigKind } from '../model/config-kind.ts';

/**
 * One ConfigMap or Secret a pod spec uses, with every use of it in that pod
 * merged into one record.
 */
export interface ConfigReference {
  readonly kind: ConfigKind;
  readonly name: string;
  /** Keys the pod can see: 'all' when it sees the whole object (envFrom, a volume without items); otherwise sorted, unique key names. */
  readonly keys: 'all' | readonly string[];
  /** True only when every use of this object in the pod is optional (a pod can start without it). */
  readonly optional: boolean;
  /** Names of containers (init containers first, then containers, in spec order, unique) that use it: by env/envFrom, or by mounting a volume that carries it. */
  readonly containers: readonly string[];
}
