import { createHash, createHmac } from 'node:crypto';
import type { ConfigReference } from '../workload/config-reference.ts';

export interface CountedConfig {
  readonly ref: ConfigReference;
  /** Per-key digests of the object as cached, or undefined if the object does not exist. */
  readonly digests: ReadonlyMap<string, string> | undefined;
  /** The object's `metadata.uid`, the key of its keyed hashes; unset when the object is absent. */
  readonly uid?: string;
}

/**
 * What is written about a workload's configs (the pod-template marks and the
 * record) is keyed, so that a reader of the workload cannot test guesses of
 * a value: the key of each config is its own `metadata.uid`, which only
 * readers of the object know. It needs no stored state, so every replica and
 * every restart agrees on it. The per-key digests it covers stay unkeyed:
 * they are never written.
 *
 * `configHash` is the SHA-256 hex of the canonical description of exactly
 * the data the workload sees. It is stored in one pod-template annotation
 * and an equal hash means no write, so it depends only on that data and the
 * objects' uids: not on the order of `configs`, not on which containers use
 * a config or whether a use is optional, and not on keys a key-list
 * reference cannot see.
 *
 * Canonical form (version 2), the bytes hashed:
 * ```
 * input  = "mini-reloader/config-hash/v2" config*
 * config = "C" str(kind) str(name) ( "A"                    ; object absent
 *                                  | "K" str(mac) )         ; present: its keyed digest
 * mac    = hex( HMAC-SHA-256( key = utf8(uid),              ; the object's metadata.uid
 *                             "mini-reloader/config-mac/v2" seen ) )
 * seen   = "C" str(kind) str(name) "P" count entry*         ; `count` visible keys
 * entry  = str(key) ( "D" str(digest)                       ; the key's digest
 *                   | "M" )                                 ; a listed key missing from the object
 * str(s) = count utf8(s)                                    ; length-prefixed, so never ambiguous
 * count  = decimal digits ":"                               ; of items, or of UTF-8 bytes for str
 * ```
 * Version 1, unkeyed, was `"mini-reloader/config-hash/v1"` followed by each
 * config as `"C" str(kind) str(name)` then `"A"` or `"P" count entry*`; it
 * is computed only to read records written by earlier releases
 * (`unkeyedConfigHash`).
 *
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
  return hashSorted('mini-reloader/config-hash/v2', configs, (config) => {
    const head = `C${str(config.ref.kind)}${str(config.ref.name)}`;
    return config.digests === undefined ? `${head}A` : `${head}K${str(configMac(config))}`;
  });
}

/**
 * The keyed digest of one present config (`mac` above, 64 hex digits): what
 * the record and Stakater's strategies write for it.
 */
export function configMac(config: CountedConfig): string {
  return createHmac('sha256', config.uid ?? '')
    .update('mini-reloader/config-mac/v2', 'utf8')
    .update(`C${str(config.ref.kind)}${str(config.ref.name)}${visibleData(config)}`, 'utf8')
    .digest('hex');
}

/** Version 1 of the canonical form, unkeyed: only to compare records written by earlier releases. */
export function unkeyedConfigHash(configs: readonly CountedConfig[]): string {
  return hashSorted('mini-reloader/config-hash/v1', configs, (config) => {
    const head = `C${str(config.ref.kind)}${str(config.ref.name)}`;
    return config.digests === undefined ? `${head}A` : `${head}${visibleData(config)}`;
  });
}

function hashSorted(
  prefix: string,
  configs: readonly CountedConfig[],
  encode: (config: CountedConfig) => string,
): string {
  const encoded = configs
    .map((config) => ({ kind: config.ref.kind, name: config.ref.name, bytes: encode(config) }))
    .sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.bytes, b.bytes));
  const hash = createHash('sha256').update(prefix, 'utf8');
  for (const { bytes } of encoded) hash.update(bytes, 'utf8');
  return hash.digest('hex');
}

/** `"P" count entry*` of a present config. */
function visibleData({ ref, digests }: CountedConfig): string {
  const present = digests ?? new Map<string, string>();
  const keys = ref.keys === 'all' ? [...present.keys()].sort(compare) : [...new Set(ref.keys)].sort(compare);
  const parts = ['P', `${keys.length}:`];
  for (const key of keys) {
    const digest = present.get(key);
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
