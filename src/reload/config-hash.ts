import { createHash } from 'node:crypto';
import type { ConfigReference } from '../workload/config-reference.ts';

export interface CountedConfig {
  readonly ref: ConfigReference;
  /** Per-key digests of the object as cached, or undefined if the object does not exist. */
  readonly digests: ReadonlyMap<string, string> | undefined;
}

/**
 * SHA-256 hex over the canonical description of exactly the data the
 * workload sees. It is stored in one pod-template annotation and an equal
 * hash means no write, so it depends only on that data: not on the order of
 * `configs`, not on which containers use a config or whether a use is
 * optional, and not on keys a key-list reference cannot see.
 *
 * Canonical form (version 1), the bytes hashed:
 * ```
 * input  = "mini-reloader/config-hash/v1" config*
 * config = "C" str(kind) str(name) ( "A"                    ; object absent
 *                                  | "P" count entry* )     ; present, `count` visible keys
 * entry  = str(key) ( "D" str(digest)                       ; the key's digest
 *                   | "M" )                                 ; a listed key missing from the object
 * str(s) = count utf8(s)                                    ; length-prefixed, so never ambiguous
 * count  = decimal digits ":"                               ; of items, or of UTF-8 bytes for str
 * ```
 * Configs come sorted by kind, then name, then their own encoding (so a
 * repeated (kind, name) cannot make the order matter); keys come sorted.
 * All sorting is by UTF-16 code units. A reference with keys 'all' sees
 * every key of the object; one with a key list sees exactly the listed keys
 * (sorted and deduplicated here, whatever the caller passed). Every field is
 * either a fixed one-letter marker or length-prefixed, so each byte string
 * parses one way only and two different descriptions never hash the same
 * bytes. (Strings are UTF-8 encoded, so a lone UTF-16 surrogate, which no
 * valid object name or key can hold, reads as U+FFFD.)
 */
export function configHash(configs: readonly CountedConfig[]): string {
  const encoded = configs
    .map((config) => ({ kind: config.ref.kind, name: config.ref.name, bytes: encodeConfig(config) }))
    .sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.bytes, b.bytes));
  const hash = createHash('sha256').update('mini-reloader/config-hash/v1', 'utf8');
  for (const { bytes } of encoded) hash.update(bytes, 'utf8');
  return hash.digest('hex');
}

function encodeConfig({ ref, digests }: CountedConfig): string {
  const parts = ['C', str(ref.kind), str(ref.name)];
  if (digests === undefined) {
    parts.push('A');
    return parts.join('');
  }
  const keys = ref.keys === 'all' ? [...digests.keys()].sort(compare) : [...new Set(ref.keys)].sort(compare);
  parts.push('P', `${keys.length}:`);
  for (const key of keys) {
    const digest = digests.get(key);
    parts.push(str(key), digest === undefined ? 'M' : `D${str(digest)}`);
  }
  return parts.join('');
}

function str(s: string): string {
  return `${Buffer.byteLength(s, 'utf8')}:${s}`;
}

/** Code-unit order: locale-independent, so every replica computes the same hash. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
