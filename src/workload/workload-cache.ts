import { asRecord, stringMap } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { ReflectorHandlers } from '../kube/reflector-types.ts';
import { sweepingHandlers } from '../kube/relist-sweep.ts';
import { namedListAnnotations, workloadAnnotations, type AnnotationNames } from '../model/annotations.ts';
import { CONFIG_KINDS, type ConfigKind } from '../model/config-kind.ts';
import { parseRecord, type ConfigRecord } from '../model/config-record.ts';
import { parseRollTimes, type RollTimes } from '../model/roll-times.ts';
import { workloadKey, type WorkloadKey } from '../model/workload-key.ts';
import { kindInfo, type WorkloadKind } from '../model/workload-kind.ts';
import type { ConfigReference } from './config-reference.ts';
import { podReferences } from './pod-references.ts';
import { workloadRefOf } from './workload-ref.ts';
import { workloadHealth, type WorkloadHealth } from './workload-health.ts';

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
  /** When the controller rolled it last (our annotation), oldest first. */
  readonly rolledAt: RollTimes;
  /** Whether its last rollout completed, from its status; absent: not known, counts as healthy. */
  readonly health?: WorkloadHealth;
  /** The halt mark a halted wave plan left on it (our annotation), if any. */
  readonly halted?: string;
  /** CronJobs: spec.suspend. */
  readonly suspended: boolean;
  /** The kind of the owner that controls it (a Job's CronJob), if any. */
  readonly controllerKind: string | undefined;
  /** A Rollout with spec.workloadRef (argo-rollout-workloadref): the Deployment whose pod template it runs. */
  readonly workloadRef?: string;
  /** A Deployment: the Rollout that runs its pod template through spec.workloadRef, as Kind/namespace/name. */
  readonly runBy?: WorkloadKey;
}

export interface WorkloadCacheOptions {
  /**
   * The names in use. Those the table places on workloads ('opt-in',
   * 'workload') are kept, everything else on a workload is dropped on
   * ingest; pausedAt is read from the metadata; the named lists are indexed,
   * as such workloads may follow configs they never reference.
   */
  readonly annotations: AnnotationNames;
  /** Metadata annotation holding the config record. */
  readonly recordAnnotation: string;
  /** A change that may alter the reconcile result (not status or resourceVersion churn). */
  readonly onChange: (key: WorkloadKey) => void;
  /**
   * A change that may open or halt a wave gate of the other followers of its
   * configs: its health state, its record or its roll times, or its removal
   * (a deleted follower no longer holds its wave back). `workload` is the
   * record as it now stands, or as it was last seen when it was removed, so
   * the followers of its configs can still be found.
   */
  readonly onGateChange?: (key: WorkloadKey, workload: WorkloadRecord) => void;
  readonly ignoreNamespace?: (namespace: string) => boolean;
  /** Rollouts with spec.workloadRef follow the references of the Deployment named there. */
  readonly followWorkloadRef?: boolean;
}

/**
 * Workloads by key, with a reverse index from each ConfigMap/Secret to the
 * workloads that reference it, so a config change costs no API call.
 */
export class WorkloadCache {
  readonly #options: WorkloadCacheOptions;
  /** The annotations kept of a workload's metadata and pod template. */
  readonly #kept: ReadonlySet<string>;
  readonly #namedLists: Readonly<Record<ConfigKind, string>>;
  readonly #records = new Map<WorkloadKey, { record: WorkloadRecord; fingerprint: string }>();
  readonly #byConfig = new Map<string, Set<WorkloadKey>>();
  /** `namespace/Kind` -> workloads with a named list of that kind. */
  readonly #naming = new Map<string, Set<WorkloadKey>>();
  /** Deployment key -> the Rollouts that name it in spec.workloadRef. */
  readonly #referrers = new Map<WorkloadKey, Set<WorkloadKey>>();

  constructor(options: WorkloadCacheOptions) {
    this.#options = options;
    this.#kept = workloadAnnotations(options.annotations);
    this.#namedLists = namedListAnnotations(options.annotations);
  }

  get(key: WorkloadKey): WorkloadRecord | undefined {
    const record = this.#records.get(key)?.record;
    if (record?.workloadRef !== undefined)
      return throughWorkloadRef(record, this.#records.get(this.#refKey(record))?.record);
    const runBy = this.#referrers.get(key)?.values().next().value;
    return record === undefined || runBy === undefined ? record : { ...record, runBy };
  }

  get size(): number {
    return this.#records.size;
  }

  keys(): Iterable<WorkloadKey> {
    return this.#records.keys();
  }

  /** Keys of the workloads whose pod spec references this config. */
  referencing(kind: ConfigKind, namespace: string, name: string): ReadonlySet<WorkloadKey> {
    const direct = this.#byConfig.get(configSlot(kind, namespace, name)) ?? EMPTY;
    if (this.#referrers.size === 0) return direct;
    const keys = new Set(direct);
    for (const key of direct) for (const rollout of this.#referrers.get(key) ?? EMPTY) keys.add(rollout);
    return keys;
  }

  /** Keys of the workloads in a namespace that carry a named list for this config kind. */
  naming(kind: ConfigKind, namespace: string): ReadonlySet<WorkloadKey> {
    return this.#naming.get(`${namespace}/${kind}`) ?? EMPTY;
  }

  handlers(kind: WorkloadKind, namespace?: string): ReflectorHandlers {
    const keyOf = (obj: KubeObject): WorkloadKey => workloadKey(kind, obj.metadata.namespace ?? '', obj.metadata.name);
    return sweepingHandlers({
      keyOf,
      upsert: (obj) => {
        this.#upsert(keyOf(obj), this.#extract(kind, obj));
      },
      removeKey: (key) => {
        this.#remove(key);
      },
      keysInScope: () => this.#keys(kind, namespace),
    });
  }

  *#keys(kind: WorkloadKind, namespace: string | undefined): Iterable<WorkloadKey> {
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
    const containers = Array.isArray(podSpec?.containers)
      ? podSpec.containers.map((c) => asRecord(c)?.name).filter((n) => typeof n === 'string')
      : [];
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
      pausedAt: annotations[this.#options.annotations.pausedAt],
      rolledAt: parseRollTimes(annotations[this.#options.annotations.rolledAt]),
      health: workloadHealth(kind, obj),
      ...withHalted(annotations[this.#options.annotations.halted]),
      suspended: spec?.suspend === true,
      controllerKind: typeof controller?.kind === 'string' ? controller.kind : undefined,
      ...(kind === 'Rollout' && this.#options.followWorkloadRef === true ? withRef(workloadRefOf(obj)) : {}),
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

  #upsert(key: WorkloadKey, record: WorkloadRecord): void {
    if (this.#options.ignoreNamespace?.(record.namespace) === true) {
      this.#remove(key);
      return;
    }
    const { resourceVersion, record: configRecord, health, ...meaningful } = record;
    const fingerprint = JSON.stringify({
      ...meaningful,
      record: configRecord === undefined ? null : [configRecord.version, ...configRecord.entries],
    });
    const previous = this.#records.get(key);
    this.#records.set(key, { record, fingerprint });
    if (previous === undefined || gateChanged(previous.record, record)) this.#options.onGateChange?.(key, record);
    if (previous?.fingerprint === fingerprint) return;
    if (previous !== undefined) this.#unindex(key, previous.record);
    this.#index(key, record);
    this.#changed(key);
  }

  /** A change of a Deployment is one of the Rollouts that run its template too. */
  #changed(key: WorkloadKey): void {
    this.#options.onChange(key);
    for (const rollout of this.#referrers.get(key) ?? EMPTY) this.#options.onChange(rollout);
  }

  #refKey(rollout: WorkloadRecord): WorkloadKey {
    return workloadKey('Deployment', rollout.namespace, rollout.workloadRef ?? '');
  }

  #remove(key: WorkloadKey): void {
    const previous = this.#records.get(key);
    if (previous === undefined) return;
    this.#records.delete(key);
    this.#unindex(key, previous.record);
    this.#changed(key);
    this.#options.onGateChange?.(key, previous.record);
  }

  #index(key: WorkloadKey, record: WorkloadRecord): void {
    for (const ref of record.references) addTo(this.#byConfig, configSlot(ref.kind, record.namespace, ref.name), key);
    for (const kind of this.#namedKinds(record)) addTo(this.#naming, `${record.namespace}/${kind}`, key);
    if (record.workloadRef !== undefined) addTo(this.#referrers, this.#refKey(record), key);
  }

  #unindex(key: WorkloadKey, record: WorkloadRecord): void {
    for (const ref of record.references)
      removeFrom(this.#byConfig, configSlot(ref.kind, record.namespace, ref.name), key);
    for (const kind of this.#namedKinds(record)) removeFrom(this.#naming, `${record.namespace}/${kind}`, key);
    if (record.workloadRef !== undefined) removeFrom(this.#referrers, this.#refKey(record), key);
  }

  /** Loose on purpose (metadata or template): queuing a workload too often costs one cheap reconcile. */
  #namedKinds(record: WorkloadRecord): ConfigKind[] {
    return CONFIG_KINDS.map((k) => k.kind).filter((kind) => {
      const annotation = this.#namedLists[kind];
      return (record.annotations[annotation] ?? record.templateAnnotations[annotation]) !== undefined;
    });
  }
}

/**
 * The Rollout as the reconciler sees it: its own metadata, with the
 * references, containers and template annotations of the Deployment (none
 * while the Deployment is absent).
 */
function throughWorkloadRef(rollout: WorkloadRecord, deployment: WorkloadRecord | undefined): WorkloadRecord {
  return {
    ...rollout,
    references: deployment?.references ?? [],
    containers: deployment?.containers ?? [],
    templateAnnotations: deployment?.templateAnnotations ?? {},
  };
}

const EMPTY: ReadonlySet<WorkloadKey> = new Set();

function gateChanged(before: WorkloadRecord, after: WorkloadRecord): boolean {
  return (
    before.health?.state !== after.health?.state ||
    before.rolledAt.at(-1) !== after.rolledAt.at(-1) ||
    !sameRecord(before.record, after.record)
  );
}

function sameRecord(a: ConfigRecord | undefined, b: ConfigRecord | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.version !== b.version || a.entries.size !== b.entries.size) return false;
  for (const [id, entry] of a.entries) if (b.entries.get(id) !== entry) return false;
  return true;
}

function withHalted(halted: string | undefined): { halted?: string } {
  return halted === undefined ? {} : { halted };
}

function withRef(workloadRef: string | undefined): { workloadRef?: string } {
  return workloadRef === undefined ? {} : { workloadRef };
}

function configSlot(kind: ConfigKind, namespace: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

function addTo(index: Map<string, Set<WorkloadKey>>, slot: string, key: WorkloadKey): void {
  let keys = index.get(slot);
  if (keys === undefined) {
    keys = new Set();
    index.set(slot, keys);
  }
  keys.add(key);
}

function removeFrom(index: Map<string, Set<WorkloadKey>>, slot: string, key: WorkloadKey): void {
  const keys = index.get(slot);
  if (keys === undefined) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(slot);
}
