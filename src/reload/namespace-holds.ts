import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';
import type { AnnotationNames } from '../model/annotations.ts';
import { parseBool } from '../parse-bool.ts';
import { MAX_WINDOW_TEXT, parseMaintenanceWindows, type MaintenanceWindow } from './maintenance-window.ts';
import type { InvalidPattern } from './name-list.ts';

/** What a Namespace's freeze and maintenance-window annotations say about the rolls of its workloads. */
export interface NamespaceHolds {
  /** The Namespace's name, for the words of a hold. */
  readonly name: string;
  /** Its freeze annotation is "true" (as strconv.ParseBool reads it). */
  readonly frozen: boolean;
  /**
   * Its maintenance windows: undefined when it has no window annotation (its
   * workloads fall back to --maintenance-window), empty when the annotation
   * is empty or does not parse (no window: they roll at any time).
   */
  readonly windows: readonly MaintenanceWindow[] | undefined;
}

export interface NamespaceHoldCacheOptions {
  readonly annotations: Pick<AnnotationNames, 'freeze' | 'maintenanceWindow'>;
  /** What its Namespace says about holds changed: its workloads need a look. */
  readonly onChange: (namespace: string) => void;
  /** A hold annotation of a Namespace (of that uid) does not parse; called once per value. */
  readonly onInvalid: (namespace: string, uid: string, problem: InvalidPattern) => void;
}

interface Entry {
  readonly holds: NamespaceHolds;
  /** The annotation values as read (bounded), to tell a change from a resync. */
  readonly seen: { readonly freeze: string; readonly window: string };
}

/**
 * The freeze and maintenance-window annotations of the Namespaces, parsed,
 * for `decide` to hold the rolls of every workload in them. It keeps only
 * Namespaces that carry one of the two annotations, and of those only the
 * parsed values, so a cluster of many Namespaces costs next to nothing.
 */
export class NamespaceHoldCache {
  readonly #options: NamespaceHoldCacheOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: NamespaceHoldCacheOptions) {
    this.#options = options;
  }

  /** What `namespace` says about holds; undefined when it says nothing (or is not known). */
  holds(namespace: string): NamespaceHolds | undefined {
    return this.#entries.get(namespace)?.holds;
  }

  /** The handlers of a Namespace list+watch; a full list removes the Namespaces it no longer delivers. */
  handlers(): ReflectorHandlers {
    return sweepingHandlers({
      keyOf: (obj) => obj.metadata.name,
      upsert: (obj) => {
        this.#upsert(obj);
      },
      removeKey: (name) => {
        if (this.#entries.delete(name)) this.#options.onChange(name);
      },
      keysInScope: () => this.#entries.keys(),
    });
  }

  #upsert(obj: KubeObject): void {
    const { name } = obj.metadata;
    const uid = typeof obj.metadata.uid === 'string' ? obj.metadata.uid : '';
    const { freeze, maintenanceWindow } = this.#options.annotations;
    const annotations = obj.metadata.annotations;
    const read = (key: string): string | undefined => {
      const value = (annotations as Readonly<Record<string, unknown>> | undefined)?.[key];
      return typeof value === 'string' ? value : undefined;
    };
    const freezeText = read(freeze);
    const windowText = read(maintenanceWindow);
    const before = this.#entries.get(name);
    if (freezeText === undefined && windowText === undefined) {
      if (before !== undefined) {
        this.#entries.delete(name);
        this.#options.onChange(name);
      }
      return;
    }
    // A longer value does not parse whatever follows, so its start and length tell every outcome apart.
    const bounded = (text: string | undefined): string =>
      text === undefined ? '-' : `${text.length}:${text.slice(0, MAX_WINDOW_TEXT + 1)}`;
    const seen = { freeze: bounded(freezeText), window: bounded(windowText) };
    if (before?.seen.freeze === seen.freeze && before.seen.window === seen.window) return;

    const frozen = parseBool(freezeText);
    if (freezeText !== undefined && frozen === undefined && before?.seen.freeze !== seen.freeze)
      this.#options.onInvalid(name, uid, {
        annotation: freeze,
        pattern: freezeText,
        error: 'not a boolean ("true" or "false"); treated as not frozen',
      });
    let windows: readonly MaintenanceWindow[] | undefined = before?.holds.windows;
    if (windowText === undefined) {
      windows = undefined;
    } else if (before?.seen.window !== seen.window) {
      const parsed = parseMaintenanceWindows(windowText);
      windows = parsed.ok ? parsed.windows : [];
      if (!parsed.ok)
        this.#options.onInvalid(name, uid, {
          annotation: maintenanceWindow,
          pattern: windowText,
          error: `${parsed.error}; treated as no window, so its workloads roll at any time`,
        });
    }
    this.#entries.set(name, { holds: { name, frozen: frozen === true, windows }, seen });
    this.#options.onChange(name);
  }
}
