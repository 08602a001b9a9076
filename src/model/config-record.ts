import { parseConfigId, type ConfigId } from './config-id.ts';

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
  readonly entries: ReadonlyMap<ConfigId, string>;
}

export type RecordVersion = 1 | 2;

const ABSENT = '-';
const VERSION_FIELD = 'v';

/** One entry: the view, and the data digest or undefined when the object is absent. */
export function formatEntry(view: string, data: string | undefined): string {
  return `${view}.${data ?? ABSENT}`;
}

/** The view and data of an entry (the data undefined for an absent object); an entry without a `.` is all data. */
export function parseEntry(entry: string): { readonly view: string; readonly data: string | undefined } {
  const dot = entry.indexOf('.');
  const data = dot < 0 ? entry : entry.slice(dot + 1);
  return { view: dot < 0 ? '' : entry.slice(0, dot), data: data === ABSENT ? undefined : data };
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
  const entries = new Map<ConfigId, string>();
  for (const [text, value] of Object.entries(parsed)) {
    const id = parseConfigId(text)?.id;
    if (text === VERSION_FIELD) {
      if (value !== 2) return undefined;
      version = 2;
    } else if (typeof value === 'string' && id !== undefined) {
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
  readonly changed: readonly ConfigId[];
  /** Absent before, present now. */
  readonly created: readonly ConfigId[];
  /** Present before, absent now. */
  readonly deleted: readonly ConfigId[];
  /** True when anything at all differs, including configs followed or dropped and views changed by a template edit. */
  readonly differs: boolean;
}

/** Compares entries of records of the same version. */
export function compareRecords(before: ConfigRecord, now: ConfigRecord): RecordChanges {
  if (before.version !== now.version)
    throw new Error(`cannot compare a version ${before.version} record with a version ${now.version} one`);
  const changed: ConfigId[] = [];
  const created: ConfigId[] = [];
  const deleted: ConfigId[] = [];
  for (const [id, entry] of now.entries) {
    const old = before.entries.get(id);
    if (old === undefined || old === entry) continue;
    const was = parseEntry(old);
    const is = parseEntry(entry);
    if (was.view !== is.view) continue;
    if (was.data === undefined) created.push(id);
    else if (is.data === undefined) deleted.push(id);
    else changed.push(id);
  }
  const differs =
    before.entries.size !== now.entries.size ||
    [...now.entries].some(([id, entry]) => before.entries.get(id) !== entry);
  return { changed, created, deleted, differs };
}

/** Whether a record entry says the config was absent. */
export function isAbsentEntry(entry: string): boolean {
  return parseEntry(entry).data === undefined;
}
