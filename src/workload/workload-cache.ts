import { asRecord, stringMap } from '../kube/json-shape.ts';
import type { KubeObject, ReflectorHandlers } from '../kube/reflector.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';
import type { ConfigKind, ConfigReference } from '../workload/config-reference.ts';
import { parseRecord, type ConfigRecord } from '../reload/config-record.ts';
import { podReferences } from './pod-references.ts';
import { kindInfo, workloadKey, type WorkloadKind } from './workload-kind.ts';

/** What the controller remembers of one workload: enough to reconcile, never the full object. */
export interface WorkloadRecord {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The optimistic-concurrency precondition for our writes. */
  readonly resourceVersion: string;
  /** The steering annotations on the workload's metadata (only those the controller reads). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The steering annotations on its pod template, read when the metadata has none. */
  readonly templateAnnotations: Readonly<Record<string, string>>;
  readonly references: readonly ConfigReference[];
  /** Names of the pod template's regular containers, in order. */
  readonly containers: readonly string[];
  /** What the pods were last rolled or adopted with; undefined before adoption. */
  readonly record: ConfigRecord | undefined;
  /** Deployments: spec.paused, and when we paused it (our annotation), for pause periods. */
  readonly paused: boolean;
  readonly pausedAt: string | undefined;
  /** CronJobs: spec.suspend. */
  readonly suspended: boolean;
  /** The kind of the owner that controls it (a Job's CronJob), if any. */
  readonly controllerKind: string | undefined;
}

export interface WorkloadCacheOptions {
  /** Annotation names worth keeping: everything else on a workload is dropped on ingest. */
  readonly steeringAnnotations: ReadonlySet<string>;
  /** Metadata annotation holding the config record. */
  readonly recordAnnotation: string;
  /** Metadata annotation saying when the controller paused a Deployment. */
  readonly pausedAtAnnotation: string;
  /** Stakater's named-list annotation per config kind: such workloads may follow configs they never reference. */
  readonly namedListAnnotations: Readonly<Record<ConfigKind, string>>;
  /** A change that may alter the reconcile result (not status or resourceVersion churn). */
  readonly onChange: (key: string) => void;
  readonly ignoreNamespace?: (namespace: string) => boolean;
}

/**
 * Workloads by key, with a reverse index from each ConfigMap/Secret to the
 * workloads that reference it, so a config change costs no API call.
 */
export class WorkloadCache {
  readonly #options: WorkloadCacheOptions;
  /** The steering annotations, plus the named lists this cache indexes. */
  readonly #kept: ReadonlySet<string>;
  readonly #records = new Map<string, { record: WorkloadRecord; fingerprint: string }>();
  readonly #byConfig = new Map<string, Set<string>>();
  /** `namespace/Kind` -> workloads with a named list of that kind. */
  readonly #naming = new Map<string, Set<string>>();

  constructor(options: WorkloadCacheOptions) {
    this.#options = options;
    this.#kept = new Set([...options.steeringAnnotations, ...Object.values(options.namedListAnnotations)]);
  }

  get(key: string): WorkloadRecord | undefined {
    return this.#records.get(key)?.record;
  }

  get size(): number {
    return this.#records.size;
  }

  keys(): Iterable<string> {
    return this.#records.keys();
  }

  /** Keys of the workloads whose pod spec references this config. */
  referencing(kind: ConfigKind, namespace: string, name: string): ReadonlySet<string> {
    return this.#byConfig.get(configSlot(kind, namespace, name)) ?? EMPTY;
  }

  /** Keys of the workloads in a namespace that carry a named list for this config kind. */
  naming(kind: ConfigKind, namespace: string): ReadonlySet<string> {
    return this.#naming.get(`${namespace}/${kind}`) ?? EMPTY;
  }

  handlers(kind: WorkloadKind, namespace?: string): ReflectorHandlers {
    const keyOf = (obj: KubeObject): string => workloadKey(kind, obj.metadata.namespace ?? '', obj.metadata.name);
    return sweepingHandlers({
      keyOf,
      upsert: (obj) => { this.#upsert(keyOf(obj), this.#extract(kind, obj)); },
      removeKey: (key) => { this.#remove(key); },
      keysInScope: () => this.#keys(kind, namespace),
    });
  }

  *#keys(kind: WorkloadKind, namespace: string | undefined): Iterable<string> {
    for (const [key, { record }] of this.#records) {
      if (record.kind === kind && (namespace === undefined || record.namespace === namespace)) yield key;
    }
  }

  #extract(kind: WorkloadKind, obj: KubeObject): WorkloadRecord {
    let template: Readonly<Record<string, unknown>> | undefined = obj;
    for (const field of kindInfo(kind).templatePath) template = asRecord(template?.[field]);
    const templateMeta = asRecord(template?.metadata);
    const podSpec = asRecord(template?.spec);
    const spec = asRecord(obj.spec);
    const annotations = stringMap(obj.metadata.annotations);
    const templateAnnotations = stringMap(templateMeta?.annotations);
    const containers = Array.isArray(podSpec?.containers) ? podSpec.containers.map((c) => asRecord(c)?.name).filter((n) => typeof n === 'string') : [];
    const owners = Array.isArray(obj.metadata.ownerReferences) ? obj.metadata.ownerReferences.map(asRecord) : [];
    const controller = owners.find((o) => o?.controller === true);
    return {
      kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name,
      uid: typeof obj.metadata.uid === 'string' ? obj.metadata.uid : '',
      resourceVersion: obj.metadata.resourceVersion ?? '',
      annotations: this.#steering(annotations),
      templateAnnotations: this.#steering(templateAnnotations),
      references: podReferences(podSpec),
      containers,
      record: parseRecord(annotations[this.#options.recordAnnotation]),
      paused: spec?.paused === true,
      pausedAt: annotations[this.#options.pausedAtAnnotation],
      suspended: spec?.suspend === true,
      controllerKind: typeof controller?.kind === 'string' ? controller.kind : undefined,
    };
  }

  #steering(all: Readonly<Record<string, string>>): Record<string, string> {
    const kept: Record<string, string> = {};
    for (const name of this.#kept) {
      const value = all[name];
      if (value !== undefined) kept[name] = value;
    }
    return kept;
  }

  #upsert(key: string, record: WorkloadRecord): void {
    if (this.#options.ignoreNamespace?.(record.namespace) === true) {
      this.#remove(key);
      return;
    }
    const { resourceVersion, record: configRecord, ...meaningful } = record;
    const fingerprint = JSON.stringify({ ...meaningful, record: configRecord === undefined ? null : [configRecord.version, ...configRecord.entries] });
    const previous = this.#records.get(key);
    this.#records.set(key, { record, fingerprint });
    if (previous?.fingerprint === fingerprint) return;
    if (previous !== undefined) this.#unindex(key, previous.record);
    this.#index(key, record);
    this.#options.onChange(key);
  }

  #remove(key: string): void {
    const previous = this.#records.get(key);
    if (previous === undefined) return;
    this.#records.delete(key);
    this.#unindex(key, previous.record);
    this.#options.onChange(key);
  }

  #index(key: string, record: WorkloadRecord): void {
    for (const ref of record.references) addTo(this.#byConfig, configSlot(ref.kind, record.namespace, ref.name), key);
    for (const kind of this.#namedKinds(record)) addTo(this.#naming, `${record.namespace}/${kind}`, key);
  }

  #unindex(key: string, record: WorkloadRecord): void {
    for (const ref of record.references) removeFrom(this.#byConfig, configSlot(ref.kind, record.namespace, ref.name), key);
    for (const kind of this.#namedKinds(record)) removeFrom(this.#naming, `${record.namespace}/${kind}`, key);
  }

  /** Loose on purpose (metadata or template): queuing a workload too often costs one cheap reconcile. */
  #namedKinds(record: WorkloadRecord): ConfigKind[] {
    return (['ConfigMap', 'Secret'] as const).filter((kind) => {
      const annotation = this.#options.namedListAnnotations[kind];
      return (record.annotations[annotation] ?? record.templateAnnotations[annotation]) !== undefined;
    });
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function configSlot(kind: ConfigKind, namespace: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

function addTo(index: Map<string, Set<string>>, slot: string, key: string): void {
  let keys = index.get(slot);
  if (keys === undefined) {
    keys = new Set();
    index.set(slot, keys);
  }
  keys.add(key);
}

function removeFrom(index: Map<string, Set<string>>, slot: string, key: string): void {
  const keys = index.get(slot);
  if (keys === undefined) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(slot);
}
