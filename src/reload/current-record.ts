import { createHash } from 'node:crypto';
import { referenceKey, type ConfigId } from '../model/config-id.ts';
import { formatEntry, type ConfigRecord, type RecordVersion } from '../model/config-record.ts';
import { configMac, unkeyedConfigHash, type CountedConfig } from './config-hash.ts';

/** The record entry of what the pods see of one config now (see ConfigRecord for the grammar). */
export function recordEntry(config: CountedConfig, version: RecordVersion = 2): string {
  const { keys } = config.ref;
  const view = keys === 'all' ? '*' : shortHash([...new Set(keys)].sort().join('\n'), 8);
  if (config.digests === undefined) return formatEntry(view, undefined);
  return formatEntry(view, (version === 2 ? configMac(config) : unkeyedConfigHash([config])).slice(0, 22));
}

/** The record of what `counted` shows now; version 1 only to compare with a record of that version. */
export function currentRecord(counted: readonly CountedConfig[], version: RecordVersion = 2): ConfigRecord {
  const entries = counted.map((c): [ConfigId, string] => [
    referenceKey(c.ref.kind, c.ref.name),
    recordEntry(c, version),
  ]);
  return { version, entries: new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length);
}
