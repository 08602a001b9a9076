import { asRecord } from '../kube/json-shape.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { referenceKey } from '../model/config-id.ts';
import type { ConfigReference } from './config-reference.ts';

/**
 * Every ConfigMap and Secret a pod spec makes visible to its containers, one
 * record per object, sorted by kind then name (code-unit order).
 *
 * Followed: `envFrom[].configMapRef|secretRef`, `env[].valueFrom.configMapKeyRef|secretKeyRef`
 * in `initContainers` and `containers`, and `volumes[].configMap|secret` and
 * `volumes[].projected.sources[].configMap|secret`, and the SecretProviderClass
 * a CSI volume names in `volumes[].csi.volumeAttributes.secretProviderClass`
 * (as Stakater matches it, whatever the driver; it sees the whole class and
 * is never optional, since the mount fails without it). Not followed: ephemeral
 * containers, `imagePullSecrets` and CSI node secrets, whose data the
 * containers never see.
 *
 * The input is untrusted JSON: any field of the wrong shape is treated as
 * absent and this never throws. Where the spec is malformed, the result errs
 * towards the pod seeing more (an extra roll beats a missed one):
 * - a use without an object name (missing or empty) is skipped, and so is a
 *   key reference without a key: neither could name any data;
 * - a volume whose `items` is missing, empty, not a list or lists no usable
 *   key sees the whole object (the kubelet projects every key when `items`
 *   is empty);
 * - a container without a name still contributes its uses, it is just not
 *   listed in `containers`; a volume without a name still counts, mounted by
 *   no one.
 */
export function podReferences(podSpec: unknown): ConfigReference[] {
  const merged = new Map<string, Merged>();
  for (const use of podConfigUses(podSpec)) addContainer(addUse(merged, use), use.container);
  return [...merged.values()]
    .sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name))
    .map((m) => ({
      kind: m.kind,
      name: m.name,
      keys: m.allKeys ? 'all' : [...m.keys].sort(compare),
      optional: m.optional,
      containers: [...m.containers],
    }));
}

/**
 * Every single use of a ConfigMap, Secret or SecretProviderClass in a pod
 * spec, unmerged: the walk `podReferences` merges, with the same rules for
 * malformed input. One use per env entry and envFrom entry of a container,
 * and per volume source and container mounting that volume; a volume that
 * no container mounts gives its uses once, without a container. Containers
 * in spec order, init containers first, then the volumes no one mounts.
 * `explain` shows these; the caches keep only the merged references.
 */
export function podConfigUses(podSpec: unknown): ConfigUse[] {
  const spec = asRecord(podSpec) ?? {};
  const uses: ConfigUse[] = [];
  const byVolume = new Map<string, Source[]>();
  for (const volume of records(spec['volumes'])) {
    const sources = volumeSources(volume);
    const volumeName = text(volume['name']);
    if (volumeName === undefined) {
      for (const source of sources) uses.push({ ...source, container: undefined, init: false });
    } else if (sources.length > 0) {
      byVolume.set(volumeName, [...(byVolume.get(volumeName) ?? []), ...sources]);
    }
  }
  const mounted = new Set<string>();
  const walk = (containers: unknown, init: boolean): void => {
    for (const container of records(containers)) {
      const name = text(container['name']);
      for (const source of containerSources(container)) uses.push({ ...source, container: name, init });
      for (const mount of records(container['volumeMounts'])) {
        const volumeName = text(mount['name']);
        if (volumeName === undefined) continue;
        mounted.add(volumeName);
        for (const source of byVolume.get(volumeName) ?? [])
          uses.push({ ...source, volume: volumeName, container: name, init });
      }
    }
  };
  walk(spec['initContainers'], true);
  walk(spec['containers'], false);
  for (const [volumeName, sources] of byVolume) {
    if (mounted.has(volumeName)) continue;
    for (const source of sources) uses.push({ ...source, volume: volumeName, container: undefined, init: false });
  }
  return uses;
}

/** How a pod spec uses a config: `volume` and `projected` hold it in a volume, `csi` names a SecretProviderClass. */
export type UseVia = 'volume' | 'projected' | 'csi' | 'envFrom' | 'env';

/** One use of an object by one env entry, envFrom entry or volume source, and the container that sees it. */
export interface ConfigUse {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly via: UseVia;
  /** The keys this use makes visible: 'all', the key of an env entry, or the keys of a volume's `items`. */
  readonly keys: 'all' | readonly string[];
  readonly optional: boolean;
  /** Undefined for a volume no container mounts, and for a container without a name. */
  readonly container: string | undefined;
  /** The container is an init container. */
  readonly init: boolean;
  /** The volume carrying it (volume, projected, csi), when the volume has a name. */
  readonly volume?: string;
}

/** A use before it is known which container sees it. */
type Source = Omit<ConfigUse, 'container' | 'init'>;

interface Merged {
  readonly kind: ConfigKind;
  readonly name: string;
  allKeys: boolean;
  readonly keys: Set<string>;
  optional: boolean;
  readonly containers: Set<string>;
}

/** Merges one use into its object's record: 'all' dominates, keys union, optional only if every use is. */
function addUse(merged: Map<string, Merged>, use: ConfigUse): Merged {
  const slot = referenceKey(use.kind, use.name);
  let entry = merged.get(slot);
  if (entry === undefined) {
    entry = { kind: use.kind, name: use.name, allKeys: false, keys: new Set(), optional: true, containers: new Set() };
    merged.set(slot, entry);
  }
  if (use.keys === 'all') {
    entry.allKeys = true;
    entry.keys.clear();
  } else if (!entry.allKeys) {
    for (const key of use.keys) entry.keys.add(key);
  }
  entry.optional &&= use.optional;
  return entry;
}

function addContainer(entry: Merged | undefined, container: string | undefined): void {
  if (entry !== undefined && container !== undefined) entry.containers.add(container);
}

function containerSources(container: Readonly<Record<string, unknown>>): Source[] {
  const uses: Source[] = [];
  for (const source of records(container['envFrom'])) {
    const whole = (kind: ConfigKind, ref: unknown): void => {
      const r = asRecord(ref);
      const name = text(r?.['name']);
      if (r !== undefined && name !== undefined)
        uses.push({ kind, name, via: 'envFrom', keys: 'all', optional: r['optional'] === true });
    };
    whole('ConfigMap', source['configMapRef']);
    whole('Secret', source['secretRef']);
  }
  for (const variable of records(container['env'])) {
    const valueFrom = asRecord(variable['valueFrom']);
    if (valueFrom === undefined) continue;
    const oneKey = (kind: ConfigKind, ref: unknown): void => {
      const r = asRecord(ref);
      const name = text(r?.['name']);
      const key = text(r?.['key']);
      if (r !== undefined && name !== undefined && key !== undefined)
        uses.push({ kind, name, via: 'env', keys: [key], optional: r['optional'] === true });
    };
    oneKey('ConfigMap', valueFrom['configMapKeyRef']);
    oneKey('Secret', valueFrom['secretKeyRef']);
  }
  return uses;
}

function volumeSources(volume: Readonly<Record<string, unknown>>): Source[] {
  const uses: Source[] = [];
  const add = (kind: ConfigKind, source: unknown, nameField: 'name' | 'secretName', via: UseVia): void => {
    const s = asRecord(source);
    const name = text(s?.[nameField]);
    if (s !== undefined && name !== undefined)
      uses.push({ kind, name, via, keys: itemKeys(s['items']), optional: s['optional'] === true });
  };
  add('ConfigMap', volume['configMap'], 'name', 'volume');
  add('Secret', volume['secret'], 'secretName', 'volume');
  for (const source of records(asRecord(volume['projected'])?.['sources'])) {
    add('ConfigMap', source['configMap'], 'name', 'projected');
    add('Secret', source['secret'], 'name', 'projected');
  }
  const providerClass = text(asRecord(asRecord(volume['csi'])?.['volumeAttributes'])?.['secretProviderClass']);
  if (providerClass !== undefined)
    uses.push({ kind: 'SecretProviderClass', name: providerClass, via: 'csi', keys: 'all', optional: false });
  return uses;
}

/** The keys a volume's `items` projects, or 'all' (see podReferences for the malformed cases). */
function itemKeys(items: unknown): 'all' | string[] {
  const keys = records(items).flatMap((item) => {
    const key = text(item['key']);
    return key === undefined ? [] : [key];
  });
  return keys.length === 0 ? 'all' : keys;
}

/** The object elements of a list; anything that is not a list has none. */
function records(value: unknown): Readonly<Record<string, unknown>>[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((element: unknown) => {
    const r = asRecord(element);
    return r === undefined ? [] : [r];
  });
}

/** A non-empty string, else undefined. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Code-unit order: locale-independent, so results are the same on every host. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
