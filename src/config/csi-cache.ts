import type { ConfigEntry } from '../config/config-cache.ts';
import { stringMap } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';
import { parseBool } from '../parse-bool.ts';
import { summarizePodStatus, type PodStatusSummary } from './csi-pod-status.ts';

/** Where a class's entry goes: the config cache, under the kind SecretProviderClass. */
export interface ClassEntrySink {
  setComputed(kind: 'SecretProviderClass', namespace: string, name: string, entry: ConfigEntry | undefined): void;
}

export interface CsiCacheOptions {
  readonly enabledLabel: string;
  readonly ignoreAnnotation: string;
  readonly matchAnnotation: string;
  readonly sink: ClassEntrySink;
  readonly ignoreNamespace?: (namespace: string) => boolean;
}

/** The steering flags of a SecretProviderClass, read from its labels and annotations as a ConfigMap's are. */
interface ClassFlags {
  readonly enabled: boolean;
  readonly ignored: boolean;
  readonly match: boolean;
}

interface StatusSlot extends PodStatusSummary {
  /** When its digest last changed (or it appeared), in this process: breaks ties towards the newest versions. */
  readonly seq: number;
}

const NO_FLAGS: ClassFlags = { enabled: false, ignored: false, match: false };

/**
 * SecretProviderClasses as the reconciler sees them: one entry per class of
 * a namespace, shaped like a ConfigMap's, whose single digest names the
 * versions its pods mount. Only that is kept: per pod status its class and
 * the digest of its objects' ids and versions; per class its three flags.
 *
 * Each pod of a workload has its own status, and during a rotation they
 * differ for a while (the driver rotates each mount on its own poll). The
 * class's versions are those most of its statuses report, a tie going to
 * the ones seen last: a decision of the state alone, so a restart decides
 * as the running controller did, and the old pods of a rollout, outnumbered
 * by the new ones, never roll it again. A class that no status reports has
 * no entry: it is not followed until a pod mounts it (Stakater, too, ignores
 * statuses being created and deleted, which come and go with pods).
 */
export class CsiCache {
  readonly #options: CsiCacheOptions;
  /** `namespace/name` of a pod status -> what it mounts. */
  readonly #statuses = new Map<string, StatusSlot>();
  /** `namespace/class` -> the keys of the statuses that mount it. */
  readonly #byClass = new Map<string, Set<string>>();
  /** `namespace/class` -> the class's flags, for classes that exist. */
  readonly #classes = new Map<string, ClassFlags>();
  #seq = 0;

  constructor(options: CsiCacheOptions) {
    this.#options = options;
  }

  get statuses(): number {
    return this.#statuses.size;
  }

  /** Handlers for a list+watch of SecretProviderClassPodStatuses, in `namespace` or in all. */
  podStatusHandlers(namespace?: string): ReflectorHandlers {
    return sweepingHandlers({
      keyOf: objectKey,
      upsert: (obj) => {
        this.#upsertStatus(obj);
      },
      removeKey: (key) => {
        this.#removeStatus(key);
      },
      keysInScope: () => inScope(this.#statuses.keys(), namespace),
    });
  }

  /** Handlers for a list+watch of SecretProviderClasses, in `namespace` or in all. */
  providerClassHandlers(namespace?: string): ReflectorHandlers {
    return sweepingHandlers({
      keyOf: objectKey,
      upsert: (obj) => {
        this.#upsertClass(obj);
      },
      removeKey: (key) => {
        if (this.#classes.delete(key)) this.#publish(key);
      },
      keysInScope: () => inScope(this.#classes.keys(), namespace),
    });
  }

  /** Whether the cache holds this pod status or class (for the event counts' add/update). */
  knows(obj: KubeObject): boolean {
    const key = objectKey(obj);
    return this.#statuses.has(key) || this.#classes.has(key);
  }

  #upsertStatus(obj: KubeObject): void {
    const key = objectKey(obj);
    const summary = this.#ignored(obj) ? undefined : summarizePodStatus(obj);
    const previous = this.#statuses.get(key);
    if (summary === undefined) {
      this.#removeStatus(key);
      return;
    }
    if (previous?.className === summary.className && previous.digest === summary.digest) return;
    const classKey = `${namespaceOf(key)}/${summary.className}`;
    if (previous?.className === summary.className) {
      this.#statuses.set(key, { ...summary, seq: ++this.#seq });
      this.#publish(classKey);
      return;
    }
    if (previous !== undefined) this.#removeStatus(key);
    this.#statuses.set(key, { ...summary, seq: ++this.#seq });
    let keys = this.#byClass.get(classKey);
    if (keys === undefined) {
      keys = new Set();
      this.#byClass.set(classKey, keys);
    }
    keys.add(key);
    this.#publish(classKey);
  }

  #removeStatus(key: string): void {
    const previous = this.#statuses.get(key);
    if (previous === undefined) return;
    this.#statuses.delete(key);
    const classKey = `${namespaceOf(key)}/${previous.className}`;
    const keys = this.#byClass.get(classKey);
    keys?.delete(key);
    if (keys?.size === 0) this.#byClass.delete(classKey);
    this.#publish(classKey);
  }

  #upsertClass(obj: KubeObject): void {
    const key = objectKey(obj);
    if (this.#ignored(obj)) {
      if (this.#classes.delete(key)) this.#publish(key);
      return;
    }
    const { enabledLabel, ignoreAnnotation, matchAnnotation } = this.#options;
    const labels = stringMap(obj.metadata['labels']);
    const annotations = stringMap(obj.metadata['annotations']);
    const flags: ClassFlags = {
      enabled: parseBool(labels[enabledLabel]) === true,
      ignored: parseBool(annotations[ignoreAnnotation]) === true,
      match: parseBool(annotations[matchAnnotation]) === true,
    };
    const previous = this.#classes.get(key);
    if (previous?.enabled === flags.enabled && previous.ignored === flags.ignored && previous.match === flags.match)
      return;
    this.#classes.set(key, flags);
    this.#publish(key);
  }

  #ignored(obj: KubeObject): boolean {
    return this.#options.ignoreNamespace?.(obj.metadata.namespace ?? '') === true;
  }

  /** Hands the class's entry, as the state now defines it, to the sink (which tells apart no change). */
  #publish(classKey: string): void {
    const slash = classKey.indexOf('/');
    const namespace = classKey.slice(0, slash);
    const name = classKey.slice(slash + 1);
    const digest = this.#prevailing(classKey);
    const entry =
      digest === undefined
        ? undefined
        : { digests: new Map([['objects', digest]]), uid: '', ...(this.#classes.get(classKey) ?? NO_FLAGS) };
    this.#options.sink.setComputed('SecretProviderClass', namespace, name, entry);
  }

  /** The digest most statuses of the class report; of those tied, the one that appeared or changed last. */
  #prevailing(classKey: string): string | undefined {
    const tally = new Map<string, { count: number; seq: number }>();
    for (const key of this.#byClass.get(classKey) ?? []) {
      const slot = this.#statuses.get(key);
      if (slot === undefined) continue;
      const t = tally.get(slot.digest) ?? { count: 0, seq: 0 };
      tally.set(slot.digest, { count: t.count + 1, seq: Math.max(t.seq, slot.seq) });
    }
    let best: [string, { count: number; seq: number }] | undefined;
    for (const candidate of tally) {
      const [, t] = candidate;
      if (best === undefined || t.count > best[1].count || (t.count === best[1].count && t.seq > best[1].seq))
        best = candidate;
    }
    return best?.[0];
  }
}

function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function namespaceOf(key: string): string {
  return key.slice(0, key.indexOf('/'));
}

function* inScope(keys: Iterable<string>, namespace: string | undefined): Iterable<string> {
  for (const key of keys) if (namespace === undefined || namespaceOf(key) === namespace) yield key;
}
