import { createHash } from 'node:crypto';
import { referenceKey } from '../workload/pod-references.ts';
import { configMac, unkeyedConfigHash, type CountedConfig } from './config-hash.ts';

/**
 * What a workload's pods are known to see of each config it follows, kept in
 * one annotation on the workload's metadata (JSON, config ids sorted):
 * `{"v":2,"ConfigMap/app":"<view>.<data>"}`.
 *
 * - `view` says which keys the pod spec makes visible (`*` for all). The
 *   view lives in the pod template, so when it differs the template changed
 *   and Kubernetes restarted the pods itself, with current data: recorded,
 *   never rolled again. It hashes key names only, which the pod spec shows.
 * - `data` is the first 22 hex digits of the config's keyed digest
 *   (`configMac`), or `-` when the object is absent, so a config's creation
 *   and deletion can be told from a content change.
 *
 * Version 1 records (earlier releases) have no `"v"` field and an unkeyed
 * `data` (the version 1 `unkeyedConfigHash` of that config alone). They are
 * read, compared with an unkeyed computation, and replaced by version 2 at
 * the next write; the controller writes only version 2. Every version 2
 * record has `"v":2` and no version 1 record has a `"v"` field (earlier
 * releases refuse such a record and adopt the workload afresh), so one is
 * never mistaken for the other.
 */
export interface ConfigRecord {
  readonly version: RecordVersion;
  /** By config id (`ConfigMap/app`), sorted. */
  readonly entries: ReadonlyMap<string, string>;
}

export type RecordVersion = 1 | 2;

const ABSENT = '-';
const VERSION_FIELD = 'v';

export function recordEntry(config: CountedConfig, version: RecordVersion = 2): string {
  const { keys } = config.ref;
  const view = keys === 'all' ? '*' : shortHash([...new Set(keys)].sort().join('\n'), 8);
  if (config.digests === undefined) return `${view}.${ABSENT}`;
  return `${view}.${(version === 2 ? configMac(config) : unkeyedConfigHash([config])).slice(0, 22)}`;
}

/** The record of what `counted` shows now; version 1 only to compare with a record of that version. */
export function currentRecord(counted: readonly CountedConfig[], version: RecordVersion = 2): ConfigRecord {
  const entries = counted.map((c): [string, string] => [referenceKey(c.ref.kind, c.ref.name), recordEntry(c, version)]);
  return { version, entries: new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

export function formatRecord(record: ConfigRecord): string {
  const entries = Object.fromEntries(record.entries);
  return JSON.stringify(record.version === 1 ? entries : { [VERSION_FIELD]: record.version, ...entries });
}

/** Undefined when absent or not a record of a known version: such a workload is adopted afresh. */
export function parseRecord(text: string | undefined): ConfigRecord | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  let version: RecordVersion = 1;
  const entries = new Map<string, string>();
  for (const [id, value] of Object.entries(parsed)) {
    if (id === VERSION_FIELD) {
      if (value !== 2) return undefined;
      version = 2;
    } else if (typeof value === 'string' && (id.startsWith('ConfigMap/') || id.startsWith('Secret/') || id.startsWith('SecretProviderClass/'))) {
      entries.set(id, value);
    } else {
      return undefined;
    }
  }
  return { version, entries };
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

/** Compares entries of records of the same version. */
export function compareRecords(before: ConfigRecord, now: ConfigRecord): RecordChanges {
  if (before.version !== now.version) throw new Error(`cannot compare a version ${before.version} record with a version ${now.version} one`);
  const changed: string[] = [];
  const created: string[] = [];
  const deleted: string[] = [];
  for (const [id, entry] of now.entries) {
    const old = before.entries.get(id);
    if (old === undefined || old === entry) continue;
    const [oldView, oldData] = splitEntry(old);
    const [view, data] = splitEntry(entry);
    if (oldView !== view) continue;
    if (oldData === ABSENT) created.push(id);
    else if (data === ABSENT) deleted.push(id);
    else changed.push(id);
  }
  const differs = before.entries.size !== now.entries.size || [...now.entries].some(([id, entry]) => before.entries.get(id) !== entry);
  return { changed, created, deleted, differs };
}

/** Whether a record entry says the config was absent. */
export function isAbsentEntry(entry: string): boolean {
  return splitEntry(entry)[1] === ABSENT;
}

function splitEntry(entry: string): [string, string] {
  const dot = entry.indexOf('.');
  return dot < 0 ? ['', entry] : [entry.slice(0, dot), entry.slice(dot + 1)];
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length);
}
