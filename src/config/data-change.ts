import { asRecord } from '../kube/json-shape.ts';

/** Key names (never values) that a data write changed, added or removed, each sorted. */
export interface KeyChanges {
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/**
 * The last data change of a config seen while watched: which keys, when
 * (epoch ms), and who, where the API tells: the field manager of the write
 * (`managedFields`) and the object that owns the config.
 */
export interface DataChange {
  readonly keys: KeyChanges;
  readonly at: number;
  readonly manager?: string;
  /** `ExternalSecret/db`: the controller owner, else the first owner. */
  readonly owner?: string;
}

/** What a config's metadata says of who writes it. */
export interface Writer {
  readonly manager?: string;
  readonly owner?: string;
}

/** Field managers are at most 128 characters; owner kinds and names are bounded too, so a note stays a few bytes. */
const MAX_NAME = 128;
const MAX_OWNER = 320;

/** The keys whose digests differ between two digest maps of one object. */
export function keyChanges(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): KeyChanges {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const [key, digest] of after) {
    const old = before.get(key);
    if (old === undefined) added.push(key);
    else if (old !== digest) changed.push(key);
  }
  for (const key of before.keys()) if (!after.has(key)) removed.push(key);
  return { changed: changed.sort(compare), added: added.sort(compare), removed: removed.sort(compare) };
}

/**
 * Two changes in a row as one: a key added then removed (or the reverse)
 * counts as changed, since its value may differ from before.
 */
export function mergeKeyChanges(first: KeyChanges, then: KeyChanges): KeyChanges {
  const added = new Set([...first.added, ...then.added]);
  const removed = new Set([...first.removed, ...then.removed]);
  const changed = new Set([...first.changed, ...then.changed]);
  for (const key of [...added]) {
    if (!removed.has(key)) continue;
    added.delete(key);
    removed.delete(key);
    changed.add(key);
  }
  const sorted = (s: Set<string>): string[] => [...s].sort(compare);
  return { changed: sorted(changed), added: sorted(added), removed: sorted(removed) };
}

/** Whether nothing changed. */
export function noKeyChanges(keys: KeyChanges): boolean {
  return keys.changed.length === 0 && keys.added.length === 0 && keys.removed.length === 0;
}

/**
 * Who writes a config, from its metadata (untrusted, so any odd shape reads
 * as unknown): the manager of the newest `managedFields` entry that owns
 * one of `keys` in `data` or `binaryData` (any data field, when none owns
 * one of them), and its owner.
 */
export function writerOf(metadata: Readonly<Record<string, unknown>>, keys: readonly string[] = []): Writer {
  const entries = (Array.isArray(metadata.managedFields) ? metadata.managedFields : []).flatMap((item) => {
    const entry = asRecord(item);
    const fields = asRecord(entry?.fieldsV1);
    if (typeof entry?.manager !== 'string' || fields === undefined) return [];
    const data = [asRecord(fields['f:data']), asRecord(fields['f:binaryData'])];
    if (data.every((d) => d === undefined) && fields['f:stringData'] === undefined) return [];
    return [
      {
        manager: entry.manager,
        time: entry.time,
        ownsKey: keys.some((key) => data.some((d) => d?.[`f:${key}`] !== undefined)),
      },
    ];
  });
  const owning = entries.filter((e) => e.ownsKey);
  let manager: string | undefined;
  let newest = Number.NEGATIVE_INFINITY;
  for (const entry of owning.length > 0 ? owning : entries) {
    const time = typeof entry.time === 'string' ? Date.parse(entry.time) : Number.NaN;
    const at = Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
    // Equal times (whole seconds): the later entry wins.
    if (at >= newest) {
      newest = at;
      manager = entry.manager.slice(0, MAX_NAME);
    }
  }
  const owners = (Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : []).map(asRecord);
  const owner = owners.find((o) => o?.controller === true) ?? owners[0];
  const ownerText =
    typeof owner?.kind === 'string' && typeof owner.name === 'string'
      ? `${owner.kind}/${owner.name}`.slice(0, MAX_OWNER)
      : undefined;
  return { ...(manager === undefined ? {} : { manager }), ...(ownerText === undefined ? {} : { owner: ownerText }) };
}

/** `keys LOG_LEVEL, FEATURE_X changed; key OLD removed`, or '' when no key is named. */
export function keyChangesText(keys: KeyChanges): string {
  const part = (list: readonly string[], what: string): string[] =>
    list.length === 0 ? [] : [`${list.length === 1 ? 'key' : 'keys'} ${list.join(', ')} ${what}`];
  return [...part(keys.changed, 'changed'), ...part(keys.added, 'added'), ...part(keys.removed, 'removed')].join('; ');
}

/** Code-unit order, as everywhere keys are sorted. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
