import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';

/**
 * Which namespaces the controller acts in: an explicit list (namespaced mode),
 * a static ignore list, and optionally a label selector whose matches are kept
 * current by a watch on namespaces.
 */
export class NamespaceScope {
  readonly #ignored: ReadonlySet<string>;
  readonly #selected: Set<string> | undefined;

  constructor(ignored: Iterable<string>, usesSelector: boolean) {
    this.#ignored = new Set(ignored);
    this.#selected = usesSelector ? new Set() : undefined;
  }

  get usesSelector(): boolean {
    return this.#selected !== undefined;
  }

  /** True when objects in `namespace` are neither cached nor acted on. */
  excludes(namespace: string): boolean {
    if (this.#ignored.has(namespace)) return true;
    return this.#selected !== undefined && !this.#selected.has(namespace);
  }

  selected(): Iterable<string> {
    return this.#selected ?? [];
  }

  /**
   * The namespace watch's handlers, on the same sweep as the other caches:
   * they keep the selection current, and call `onChange` when it changed (once
   * for all the namespaces a full list no longer delivers).
   */
  handlers(onChange: () => void): ReflectorHandlers {
    let sweeping = false;
    const changed = (): void => {
      if (!sweeping) onChange();
    };
    const sweep = sweepingHandlers({
      keyOf: (obj) => obj.metadata.name,
      upsert: (obj) => {
        if (this.setSelected(obj.metadata.name, true)) changed();
      },
      removeKey: (namespace) => {
        if (this.setSelected(namespace, false)) changed();
      },
      keysInScope: () => this.selected(),
    });
    return {
      ...sweep,
      listFinished: () => {
        // The sweep only removes: a smaller selection is a change.
        const before = this.#selected?.size;
        sweeping = true;
        try {
          sweep.listFinished();
        } finally {
          sweeping = false;
        }
        if (this.#selected?.size !== before) onChange();
      },
    };
  }

  /** Records that a namespace matches (or stopped matching) the selector; returns whether that changed anything. */
  setSelected(namespace: string, selected: boolean): boolean {
    if (this.#selected === undefined || this.#selected.has(namespace) === selected) return false;
    if (selected) this.#selected.add(namespace);
    else this.#selected.delete(namespace);
    return true;
  }
}
