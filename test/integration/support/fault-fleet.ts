import type {
  V1Container,
  V1EnvFromSource,
  V1EnvVar,
  V1ObjectMeta,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { Clients } from './cluster.ts';
import { AUTO, ENABLED_LABEL, createConfigMap, createSecret } from './config.ts';
import { deployment } from './workloads.ts';

export type FleetConfigKind = 'ConfigMap' | 'Secret';
export type FleetWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface FleetConfig {
  readonly kind: FleetConfigKind;
  readonly name: string;
  readonly keys: readonly string[];
  /** Carries the enabled label, so every workload that references it follows it. */
  readonly enabled: boolean;
}

/** How the workload opts in: the auto annotation, Stakater's named lists, or only the configs' enabled label. */
export type OptIn = 'auto' | 'named' | 'label';

interface Use {
  readonly config: FleetConfig;
  /** What the pods see of it: every key, or only these. */
  readonly keys: 'all' | readonly string[];
}

export interface FleetWorkload {
  readonly kind: FleetWorkloadKind;
  readonly name: string;
  readonly optIn: OptIn;
  readonly uses: readonly Use[];
  /** For `named`: the configs its reload annotations list, as `Kind/name`. */
  readonly named: ReadonlySet<string>;
  /** How it references its configs, for the failure report. */
  readonly shape: string;
}

/** One write to a config: these data keys get new values, or none for a labels-only write. */
export interface ConfigWrite {
  readonly config: FleetConfig;
  readonly keys: readonly string[];
}

/** A deterministic random source, so a seed replays a run. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function configKey(config: FleetConfig): string {
  return `${config.kind}/${config.name}`;
}

/** Whether the workload's pods see a change of these keys: followed, and a key they see (a labels-only write is never seen). */
export function sees(workload: FleetWorkload, write: ConfigWrite): boolean {
  const { config } = write;
  const followed = workload.optIn === 'auto' || workload.named.has(configKey(config)) || config.enabled;
  if (!followed || write.keys.length === 0) return false;
  return workload.uses.some(
    (u) => u.config === config && (u.keys === 'all' || u.keys.some((k) => write.keys.includes(k))),
  );
}

/** Whether the controller follows any config for it, and so adopts it. */
export function followsAnything(workload: FleetWorkload): boolean {
  return workload.uses.some((u) => sees(workload, { config: u.config, keys: u.config.keys }));
}

/**
 * ConfigMaps and Secrets with a key `x` that key references never name, half
 * of them labelled enabled, plus one ConfigMap that no workload references.
 */
export function fleetConfigs(configMaps: number, secrets: number): FleetConfig[] {
  const configs: FleetConfig[] = [];
  for (let i = 0; i < configMaps; i++)
    configs.push({ kind: 'ConfigMap', name: `cm-${i}`, keys: ['a', 'b', 'c', 'x'], enabled: i % 2 === 0 });
  for (let i = 0; i < secrets; i++)
    configs.push({ kind: 'Secret', name: `sec-${i}`, keys: ['a', 'b', 'x'], enabled: i % 2 === 0 });
  configs.push({ kind: 'ConfigMap', name: 'unreferenced', keys: ['a'], enabled: true });
  return configs;
}

type UseShape = 'envFrom' | 'keyRef' | 'volume' | 'volumeItems' | 'projected' | 'initEnvFrom' | 'initKeyRef';
const SHAPES: readonly UseShape[] = [
  'envFrom',
  'keyRef',
  'volume',
  'volumeItems',
  'projected',
  'initEnvFrom',
  'initKeyRef',
];

interface PodParts {
  readonly env: V1EnvVar[];
  readonly envFrom: V1EnvFromSource[];
  readonly mounts: V1VolumeMount[];
  readonly initEnv: V1EnvVar[];
  readonly initEnvFrom: V1EnvFromSource[];
  readonly volumes: V1Volume[];
}

/** Adds one reference of the given shape to the pod parts and says what the pods see through it. */
function addUse(parts: PodParts, shape: UseShape, config: FleetConfig, key: string, n: number): Use {
  const isMap = config.kind === 'ConfigMap';
  const keyRef = (): V1EnvVar => ({
    name: `V_${n}`,
    valueFrom: isMap ? { configMapKeyRef: { name: config.name, key } } : { secretKeyRef: { name: config.name, key } },
  });
  const whole = (): V1EnvFromSource =>
    isMap ? { configMapRef: { name: config.name } } : { secretRef: { name: config.name } };
  const volume = (items: boolean): V1Volume => {
    const projection = { ...(items ? { items: [{ key, path: key }] } : {}) };
    return isMap
      ? { name: `vol-${n}`, configMap: { name: config.name, ...projection } }
      : { name: `vol-${n}`, secret: { secretName: config.name, ...projection } };
  };
  const mount = (): void => {
    parts.mounts.push({ name: `vol-${n}`, mountPath: `/config/${n}` });
  };
  switch (shape) {
    case 'envFrom':
      parts.envFrom.push(whole());
      return { config, keys: 'all' };
    case 'keyRef':
      parts.env.push(keyRef());
      return { config, keys: [key] };
    case 'initEnvFrom':
      parts.initEnvFrom.push(whole());
      return { config, keys: 'all' };
    case 'initKeyRef':
      parts.initEnv.push(keyRef());
      return { config, keys: [key] };
    case 'volume':
      parts.volumes.push(volume(false));
      mount();
      return { config, keys: 'all' };
    case 'volumeItems':
      parts.volumes.push(volume(true));
      mount();
      return { config, keys: [key] };
    case 'projected': {
      const source = isMap
        ? { configMap: { name: config.name, items: [{ key, path: key }] } }
        : { secret: { name: config.name, items: [{ key, path: key }] } };
      parts.volumes.push({ name: `vol-${n}`, projected: { sources: [source] } });
      mount();
      return { config, keys: [key] };
    }
  }
}

/**
 * A workload with two to four references of mixed shapes to configs of the
 * pool (never `unreferenced`), opted in as `optIn` says. Key references never
 * name `x`, so a change of `x` is seen only through whole-object references.
 */
export function fleetWorkload(
  random: Random,
  kind: FleetWorkloadKind,
  name: string,
  optIn: OptIn,
  pool: readonly FleetConfig[],
): { workload: FleetWorkload; podSpec: V1PodSpec } {
  const parts: PodParts = { env: [], envFrom: [], mounts: [], initEnv: [], initEnvFrom: [], volumes: [] };
  const referable = pool.filter((c) => c.name !== 'unreferenced');
  const uses: Use[] = [];
  const shapes: string[] = [];
  const count = 2 + Math.floor(random() * 3);
  for (let n = 0; n < count; n++) {
    const shape = pick(random, SHAPES);
    const config = pick(random, referable);
    uses.push(
      addUse(
        parts,
        shape,
        config,
        pick(
          random,
          config.keys.filter((k) => k !== 'x'),
        ),
        n,
      ),
    );
    shapes.push(`${shape}:${configKey(config)}`);
  }
  const named = new Set<string>();
  if (optIn === 'named') {
    for (const u of uses) if (random() < 0.7) named.add(configKey(u.config));
    const first = uses[0];
    if (named.size === 0 && first !== undefined) named.add(configKey(first.config));
  }
  const container = (
    containerName: string,
    env: V1EnvVar[],
    envFrom: V1EnvFromSource[],
    mounts: V1VolumeMount[],
  ): V1Container => ({ name: containerName, image: 'registry.invalid/app:1', env, envFrom, volumeMounts: mounts });
  const podSpec: V1PodSpec = {
    containers: [container('app', parts.env, parts.envFrom, parts.mounts)],
    ...(parts.initEnv.length + parts.initEnvFrom.length > 0
      ? { initContainers: [container('init', parts.initEnv, parts.initEnvFrom, [])] }
      : {}),
    volumes: parts.volumes,
  };
  return { workload: { kind, name, optIn, uses, named, shape: `${optIn} ${shapes.join(' ')}` }, podSpec };
}

function optInAnnotations(workload: FleetWorkload): Record<string, string> {
  if (workload.optIn === 'auto') return AUTO;
  if (workload.optIn === 'label') return {};
  const listed = (kind: FleetConfigKind): string =>
    [...workload.named]
      .filter((k) => k.startsWith(`${kind}/`))
      .map((k) => k.slice(kind.length + 1))
      .join(',');
  return {
    ...(listed('ConfigMap') === '' ? {} : { 'configmap.reloader.stakater.com/reload': listed('ConfigMap') }),
    ...(listed('Secret') === '' ? {} : { 'secret.reloader.stakater.com/reload': listed('Secret') }),
  };
}

/** Enough revision history that every rollout of a run stays countable. */
const HISTORY = 1000;

/**
 * Creates the workload. Of a Deployment it records the pod template the API
 * server stored in `firstTemplates`, under its workload key, for
 * rolloutsByWorkload.
 */
export async function createFleetWorkload(
  c: Clients,
  namespace: string,
  workload: FleetWorkload,
  podSpec: V1PodSpec,
  firstTemplates: Map<string, string>,
): Promise<void> {
  const annotations = optInAnnotations(workload);
  const labels = { app: workload.name };
  const template = { metadata: { labels }, spec: podSpec };
  const metadata = { name: workload.name, annotations };
  switch (workload.kind) {
    case 'Deployment': {
      const body = deployment(workload.name, podSpec, annotations);
      if (body.spec !== undefined) Object.assign(body.spec, { replicas: 1, revisionHistoryLimit: HISTORY });
      const created = await c.apps.createNamespacedDeployment({ namespace, body });
      firstTemplates.set(workloadKey(workload), templateFingerprint(created.spec?.template));
      return;
    }
    case 'StatefulSet':
      await c.apps.createNamespacedStatefulSet({
        namespace,
        body: {
          metadata,
          spec: {
            replicas: 1,
            serviceName: workload.name,
            selector: { matchLabels: labels },
            revisionHistoryLimit: HISTORY,
            template,
          },
        },
      });
      return;
    case 'DaemonSet':
      await c.apps.createNamespacedDaemonSet({
        namespace,
        body: { metadata, spec: { selector: { matchLabels: labels }, revisionHistoryLimit: HISTORY, template } },
      });
  }
}

export async function createFleetConfig(
  c: Clients,
  namespace: string,
  config: FleetConfig,
  value: string,
): Promise<void> {
  const data = Object.fromEntries(config.keys.map((k) => [k, value]));
  const labels = config.enabled ? ENABLED_LABEL : {};
  if (config.kind === 'ConfigMap') await createConfigMap(c, namespace, config.name, data, labels);
  else await createSecret(c, namespace, config.name, data, labels);
}

/** Parsed JSON, printed with its keys sorted, so that two equal values print alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A pod template, without the label kube-controller-manager adds to a ReplicaSet's copy of it. */
function templateFingerprint(template: V1PodTemplateSpec | undefined): string {
  const plain = JSON.parse(JSON.stringify(template ?? {})) as { metadata?: { labels?: Record<string, string> } };
  delete plain.metadata?.labels?.['pod-template-hash'];
  return canonicalJson(plain);
}

/** The workload key of the object's controlling owner, if it has one. */
function controllerKey(metadata: V1ObjectMeta | undefined): string | undefined {
  const owner = metadata?.ownerReferences?.find((o) => o.controller === true);
  return owner === undefined ? undefined : `${owner.kind}/${owner.name}`;
}

/**
 * Rollouts per workload as the cluster recorded them.
 *
 * Of a Deployment: its ReplicaSets whose template is not the one it was
 * created with (`firstTemplates`, from createFleetWorkload). Counting
 * ReplicaSets less one would miss a roll when kube-controller-manager first
 * syncs a new Deployment after the roll, as it can on a loaded machine: it
 * never makes a ReplicaSet of the first template then.
 *
 * Of a StatefulSet or DaemonSet: its ControllerRevisions, less the one its
 * creation made (the run waits for that one before its first burst).
 *
 * Every roll of the run writes a template never seen before, so none reuses
 * an old revision.
 */
export async function rolloutsByWorkload(
  c: Clients,
  namespace: string,
  firstTemplates: ReadonlyMap<string, string>,
): Promise<Map<string, number>> {
  const [sets, revisions] = await Promise.all([
    c.apps.listNamespacedReplicaSet({ namespace }),
    c.apps.listNamespacedControllerRevision({ namespace }),
  ]);
  const counts = new Map<string, number>();
  for (const set of sets.items) {
    const key = controllerKey(set.metadata);
    if (key === undefined) continue;
    const first = firstTemplates.get(key);
    if (first === undefined) throw new Error(`no first template recorded for ${key}`);
    const rolled = templateFingerprint(set.spec?.template) === first ? 0 : 1;
    counts.set(key, (counts.get(key) ?? 0) + rolled);
  }
  for (const revision of revisions.items) {
    const key = controllerKey(revision.metadata);
    if (key === undefined) continue;
    counts.set(key, (counts.get(key) ?? -1) + 1);
  }
  return counts;
}

export function workloadKey(workload: FleetWorkload): string {
  return `${workload.kind}/${workload.name}`;
}
