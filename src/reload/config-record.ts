import { createHash } from 'node:crypto';
import { referenceKey } from '../workload/pod-references.ts';
import { configHash, type CountedConfig } from './config-hash.ts';

/**
 * What a workload's pods are known to see of each config it follows, kept in
 * one annotation on the workload's metadata (JSON, keys sorted):
 * `{"ConfigMap/app":"<view>.<data>"}`.
 *
 * - `view` says which keys the pod spec makes visible (`*` for all). The
 *   view lives in the pod template, so when it differs the template changed
 *   and Kubernetes restarted the pods itself, with current data: recorded,
 *   never rolled again.
 * - `data` is a hash of the visible data, or `-` when the object is absent,
 *   so a config's creation and deletion can be told from a content change.
 */
export type ConfigRecord = ReadonlyMap<string, string>;

const ABSENT = '-';

export function recordEntry(config: CountedConfig): string {
  const { keys } = config.ref;
  const view = keys === 'all' ? '*' : shortHash([...new Set(keys)].sort().join('\n'), 8);
  const data = config.digests === undefined ? ABSENT : configHash([config]).slice(0, 22);
  return `${view}.${data}`;
}

export function currentRecord(counted: readonly CountedConfig[]): ConfigRecord {
  const entries = counted.map((c): [string, string] => [referenceKey(c.ref.kind, c.ref.name), recordEntry(c)]);
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function formatRecord(record: ConfigRecord): string {
  return JSON.stringify(Object.fromEntries(record));
}

/** Undefined when absent or not a record this version wrote: such a workload is adopted afresh. */
export function parseRecord(text: string | undefined): ConfigRecord | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed);
  if (!entries.every(([k, v]) => typeof v === 'string' && /^(ConfigMap|Secret)\//.test(k))) return undefined;
  return new Map(entries as [string, string][]);
}

/** How the data the pods see differs from what they were rolled or adopted with, by config id. */
export interface RecordChanges {
  /** Present before and now, with other visible data. */
  readonly changed: readonly string[];
  /** Absent before, present now. */
  readonly created: readonly string[];
  /** Present before, absent now. */
  readonly deleted: readonly string[];
  /** True when anything at all differs, including configs followed or dropped and views changed by a template edit. */
  readonly differs: boolean;
}

export function compareRecords(before: ConfigRecord, now: ConfigRecord): RecordChanges {
  const changed: string[] = [];
  const created: string[] = [];
  const deleted: string[] = [];
  for (const [id, entry] of now) {
    const old = before.get(id);
    if (old === undefined || old === entry) continue;
    const [oldView, oldData] = splitEntry(old);
    const [view, data] = splitEntry(entry);
    if (oldView !== view) continue;
    if (oldData === ABSENT) created.push(id);
    else if (data === ABSENT) deleted.push(id);
    else changed.push(id);
  }
  const differs = before.size !== now.size || [...now].some(([id, entry]) => before.get(id) !== entry);
  return { changed, created, deleted, differs };
}

function splitEntry(entry: string): [string, string] {
  const dot = entry.indexOf('.');
  return dot < 0 ? ['', entry] : [entry.slice(0, dot), entry.slice(dot + 1)];
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length);
}
