import type { KubeObject } from './kube-object.ts';
import type { ReflectorHandlers } from './reflector-types.ts';

/** A cache as one list+watch loop sees it: objects under string keys, within the loop's scope. */
export interface SweptCache<K extends string = string> {
  keyOf(obj: KubeObject): K;
  upsert(obj: KubeObject): void;
  removeKey(key: K): void;
  /** The cached keys this loop is responsible for (its kind and namespace). */
  keysInScope(): Iterable<K>;
}

/**
 * Reflector handlers for a cache: a full list removes exactly the keys of its
 * scope that it did not deliver, so what was deleted during a watch gap goes.
 */
export function sweepingHandlers<K extends string>(cache: SweptCache<K>): ReflectorHandlers {
  let seen: Set<K> | undefined;
  return {
    listStarted: () => {
      seen = new Set();
    },
    upsert: (obj) => {
      seen?.add(cache.keyOf(obj));
      cache.upsert(obj);
    },
    remove: (obj) => {
      cache.removeKey(cache.keyOf(obj));
    },
    listFinished: () => {
      const listed = seen;
      seen = undefined;
      if (listed === undefined) return;
      for (const key of [...cache.keysInScope()]) if (!listed.has(key)) cache.removeKey(key);
    },
  };
}
