import { createHash } from 'node:crypto';
import { stringMap } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';
import { parseBool } from '../parse-bool.ts';
import { parseConfigId, referenceKey, type ConfigId } from '../model/config-id.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { objectName, parseObjectName, type ObjectName } from '../model/object-name.ts';
import { keyChanges, mergeKeyChanges, noKeyChanges, writerOf, type DataChange } from './data-change.ts';
import { keyDigests } from './key-digests.ts';

/**
 * What the controller remembers of one ConfigMap or Secret: a digest per key
 * and the few labels/annotations that steer decisions. Never the values.
 */
export interface ConfigEntry {
  readonly digests: ReadonlyMap<string, string>;
  /** `metadata.uid`: the key of the hashes written about this object (see configHash). */
  readonly uid: string;
  /** Carries the opt-in label (`mini-reloader.pelabs/enabled: "true"`, or another true of strconv.ParseBool). */
  readonly enabled: boolean;
  /** Carries the ignore annotation: it never triggers anything. */
  readonly ignored: boolean;
  /** Carries Stakater's search-mode match annotation. */
  readonly match: boolean;
  /** Its last data change seen while watched (key names, who wrote it); none for what the first list found. */
  readonly change?: DataChange;
  /** Its wave-plan annotations (see WaveAnnotations), when it carries them. */
  readonly waves?: WaveSteering;
}

/** The names of the annotations that steer a config's rollout in waves. */
export interface WaveAnnotations {
  readonly rolloutWaves: string;
  readonly waveTimeout: string;
  readonly resume: string;
}

/**
 * What a config's wave annotations say, bounded: the plan and timeout texts
 * cut one character past what their parsers read (so an overlong value stays
 * overlong), and the resume value only as a digest, since only its changes
 * matter.
 */
export interface WaveSteering {
  readonly plan: string | undefined;
  readonly timeout: string | undefined;
  readonly resume: string | undefined;
}

const MAX_STEERING_TEXT = 257;

export interface ConfigCacheOptions {
  readonly enabledLabel: string;
  readonly ignoreAnnotation: string;
  readonly matchAnnotation: string;
  /** A meaningful change: content or steering metadata, not a labels-only edit. */
  readonly onChange: (kind: ConfigKind, namespace: string, name: string) => void;
  /** An object that cannot be digested; it keeps its last good entry. */
  readonly onInvalid: (kind: ConfigKind, namespace: string, name: string, err: Error) => void;
  /** A steering label or annotation whose value is no Go boolean: it counts as absent. */
  readonly onNotBoolean?: (kind: ConfigKind, namespace: string, name: string, field: string, value: string) => void;
  /** Namespaces whose objects are not kept at all. */
  readonly ignoreNamespace?: (namespace: string) => boolean;
  /** The wave-plan annotations to keep; without them none are. */
  readonly waveAnnotations?: WaveAnnotations;
  /** Data writes that land within this long of the previous one add up to one change (the debounce window). */
  readonly gatherMs?: number;
  readonly now?: () => number;
}

/** Uids of objects deleted or replaced while watched, kept at most (the oldest go first). */
const MAX_FORMER_UIDS = 4096;

/** ConfigMaps and Secrets, by namespace, reduced to per-key digests. */
export class ConfigCache {
  readonly #options: ConfigCacheOptions;
  readonly #byNamespace = new Map<string, Map<ConfigId, ConfigEntry>>();
  readonly #counts: Record<ConfigKind, number> = { ConfigMap: 0, Secret: 0, SecretProviderClass: 0 };
  /** `namespace/Kind/name` -> the uid of the object that last held the name before the current one. */
  readonly #formerUids = new Map<string, string>();

  constructor(options: ConfigCacheOptions) {
    this.#options = options;
  }

  get(kind: ConfigKind, namespace: string, name: string): ConfigEntry | undefined {
    return this.#byNamespace.get(namespace)?.get(referenceKey(kind, name));
  }

  /** Names of the cached objects of one kind in a namespace (for Stakater's named-regex mode). */
  *names(kind: ConfigKind, namespace: string): Iterable<string> {
    for (const id of this.#byNamespace.get(namespace)?.keys() ?? []) {
      const config = parseConfigId(id);
      if (config?.kind === kind) yield config.name;
    }
  }

  /**
   * The uid of the object that held this name before, when the controller
   * saw it deleted or replaced: a record keyed with it may describe the same
   * data under another key.
   */
  formerUid(kind: ConfigKind, namespace: string, name: string): string | undefined {
    return this.#formerUids.get(`${namespace}/${kind}/${name}`);
  }

  size(kind: ConfigKind): number {
    return this.#counts[kind];
  }

  /**
   * Reflector handlers for one list+watch of `kind`, in `namespace` or in all
   * namespaces. A relist removes exactly the objects of that scope it did not see.
   */
  handlers(kind: ConfigKind, namespace?: string): ReflectorHandlers {
    return sweepingHandlers({
      keyOf: (obj) => objectName(obj.metadata.namespace ?? '', obj.metadata.name),
      upsert: (obj) => {
        this.#upsert(kind, obj);
      },
      removeKey: (key) => {
        const { namespace: ns, name } = parseObjectName(key);
        this.#remove(kind, ns, name);
      },
      keysInScope: () => this.#keys(kind, namespace),
    });
  }

  *#keys(kind: ConfigKind, namespace: string | undefined): Iterable<ObjectName> {
    for (const [ns, slots] of this.#byNamespace) {
      if (namespace !== undefined && ns !== namespace) continue;
      for (const id of slots.keys()) {
        const config = parseConfigId(id);
        if (config?.kind === kind) yield objectName(ns, config.name);
      }
    }
  }

  #upsert(kind: ConfigKind, obj: KubeObject): void {
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name;
    if (this.#options.ignoreNamespace?.(namespace) === true) {
      this.#remove(kind, namespace, name);
      return;
    }
    let digests: Map<string, string>;
    try {
      digests = keyDigests(kind, obj);
    } catch (err) {
      this.#options.onInvalid(kind, namespace, name, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const labels = stringMap(obj.metadata.labels);
    const annotations = stringMap(obj.metadata.annotations);
    // Stakater's annotations, and our label for consistency, read as Go's strconv.ParseBool.
    const flag = (field: string, value: string | undefined): boolean => {
      const parsed = parseBool(value);
      if (value !== undefined && parsed === undefined)
        this.#options.onNotBoolean?.(kind, namespace, name, field, value);
      return parsed === true;
    };
    const entry: ConfigEntry = {
      digests,
      uid: typeof obj.metadata.uid === 'string' ? obj.metadata.uid : '',
      enabled: flag(this.#options.enabledLabel, labels[this.#options.enabledLabel]),
      ignored: flag(this.#options.ignoreAnnotation, annotations[this.#options.ignoreAnnotation]),
      match: flag(this.#options.matchAnnotation, annotations[this.#options.matchAnnotation]),
      ...waveSteering(this.#options.waveAnnotations, annotations),
    };
    this.#store(kind, namespace, name, entry, obj.metadata);
  }

  /** `metadata`, of a watched object, tells who changed its data; a computed entry has none. */
  #store(
    kind: ConfigKind,
    namespace: string,
    name: string,
    entry: ConfigEntry,
    metadata?: Readonly<Record<string, unknown>>,
  ): void {
    let slots = this.#byNamespace.get(namespace);
    if (slots === undefined) {
      slots = new Map();
      this.#byNamespace.set(namespace, slots);
    }
    const slot = referenceKey(kind, name);
    const previous = slots.get(slot);
    if (previous === undefined) this.#counts[kind]++;
    else if (sameEntry(previous, entry)) return;
    else if (previous.uid !== entry.uid) this.#rememberUid(kind, namespace, name, previous.uid);
    const change =
      metadata !== undefined && previous?.uid === entry.uid
        ? this.#change(previous, entry.digests, metadata)
        : undefined;
    slots.set(slot, change === undefined ? entry : { ...entry, change });
    this.#options.onChange(kind, namespace, name);
  }

  /**
   * Sets (or, with undefined, removes) an entry computed from other objects
   * than the config itself: a SecretProviderClass's, from its pod statuses.
   * Tells onChange only when the entry differs.
   */
  setComputed(kind: ConfigKind, namespace: string, name: string, entry: ConfigEntry | undefined): void {
    if (entry === undefined) {
      this.#remove(kind, namespace, name);
      return;
    }
    this.#store(kind, namespace, name, entry);
  }

  /**
   * The change a write makes to the data of a watched object, added to the
   * one before when that landed within `gatherMs`; the one before, when the
   * write left the data alone.
   */
  #change(
    previous: ConfigEntry,
    digests: ReadonlyMap<string, string>,
    metadata: Readonly<Record<string, unknown>>,
  ): DataChange | undefined {
    const keys = keyChanges(previous.digests, digests);
    if (noKeyChanges(keys)) return previous.change;
    const at = (this.#options.now ?? Date.now)();
    const before = previous.change;
    const gathered =
      before !== undefined && at - before.at <= (this.#options.gatherMs ?? 0)
        ? mergeKeyChanges(before.keys, keys)
        : keys;
    return { keys: gathered, at, ...writerOf(metadata, [...keys.changed, ...keys.added]) };
  }

  #remove(kind: ConfigKind, namespace: string, name: string): void {
    const slots = this.#byNamespace.get(namespace);
    const slot = referenceKey(kind, name);
    const previous = slots?.get(slot);
    if (slots === undefined || previous === undefined) return;
    slots.delete(slot);
    this.#rememberUid(kind, namespace, name, previous.uid);
    this.#counts[kind]--;
    if (slots.size === 0) this.#byNamespace.delete(namespace);
    this.#options.onChange(kind, namespace, name);
  }

  #rememberUid(kind: ConfigKind, namespace: string, name: string, uid: string): void {
    const id = `${namespace}/${kind}/${name}`;
    this.#formerUids.delete(id);
    this.#formerUids.set(id, uid);
    if (this.#formerUids.size > MAX_FORMER_UIDS) {
      const oldest = this.#formerUids.keys().next().value;
      if (oldest !== undefined) this.#formerUids.delete(oldest);
    }
  }
}

function waveSteering(
  names: WaveAnnotations | undefined,
  annotations: Readonly<Record<string, string>>,
): { waves?: WaveSteering } {
  if (names === undefined) return {};
  const plan = annotations[names.rolloutWaves]?.slice(0, MAX_STEERING_TEXT);
  const timeout = annotations[names.waveTimeout]?.slice(0, MAX_STEERING_TEXT);
  const resumeText = annotations[names.resume];
  if (plan === undefined && timeout === undefined && resumeText === undefined) return {};
  const resume =
    resumeText === undefined ? undefined : createHash('sha256').update(resumeText, 'utf8').digest('hex').slice(0, 16);
  return { waves: { plan, timeout, resume } };
}

function sameEntry(a: ConfigEntry, b: ConfigEntry): boolean {
  if (a.uid !== b.uid || a.enabled !== b.enabled || a.ignored !== b.ignored || a.match !== b.match) return false;
  const [x, y] = [a.waves, b.waves];
  if (x?.plan !== y?.plan || x?.timeout !== y?.timeout || x?.resume !== y?.resume) return false;
  if (a.digests.size !== b.digests.size) return false;
  for (const [key, digest] of a.digests) if (b.digests.get(key) !== digest) return false;
  return true;
}
