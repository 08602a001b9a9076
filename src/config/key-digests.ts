import { hash } from 'node:crypto';
import type { ConfigKind } from '../model/config-kind.ts';
import { ReusedBuffer } from '../reused-buffer.ts';

/** Length of a key digest: 22 base64url characters carry 128 bits of SHA-256 (plus 4). */
export const KEY_DIGEST_LENGTH = 22;

/**
 * A digest per key of a ConfigMap's or Secret's values, as they appear to a
 * pod: the SHA-256 of the value's bytes, base64url, cut to 22 characters.
 * 128 bits is ample for change detection and halves what the cache holds.
 * The same bytes get the same digest whatever field carried them, so a
 * Secret value and the same bytes in a ConfigMap's `binaryData` agree.
 *
 * - ConfigMap: `data` values are hashed as their UTF-8 bytes, `binaryData`
 *   values as their base64-decoded bytes. The API never returns one key in
 *   both; if an object does, `binaryData` wins, because that is the field
 *   whose bytes are exact (`data` is text only).
 * - Secret: `data` values, base64-decoded. `stringData` is write-only and
 *   never returned by the API, so it is ignored, as are other fields.
 * - Labels, annotations and any other metadata never count.
 *
 * Secret values are hashed and dropped: the decoded bytes are zeroed once
 * hashed and nothing here logs. A malformed object throws an Error that
 * names the key and the field, never the value: a field that is neither
 * absent, null nor a JSON object, a value that is not a string, or a
 * base64 field value that is not padded standard base64 (how the API server
 * always encodes bytes; Node's own decoder would silently skip bad input).
 */
export function keyDigests(kind: ConfigKind, obj: unknown): Map<string, string> {
  const source = asRecord(obj, kind);
  const digests = new Map<string, string>();
  if (kind === 'ConfigMap') {
    for (const [key, value] of entries(source, 'data', kind)) {
      digests.set(key, digest(stringValue(value, key, 'data', kind)));
    }
    // Second, so that binaryData wins a key present in both fields.
    for (const [key, value] of entries(source, 'binaryData', kind))
      digests.set(key, base64Digest(value, key, 'binaryData', kind));
  } else {
    for (const [key, value] of entries(source, 'data', kind)) digests.set(key, base64Digest(value, key, 'data', kind));
  }
  return digests;
}

/** Where base64 values are decoded, zeroed after each (see ReusedBuffer). */
const decodeBuffer = new ReusedBuffer();

/**
 * The digest of the bytes of padded standard base64, what Go's
 * encoding/json writes for []byte: a multiple of 4 characters of
 * `A-Za-z0-9+/`, the last one or two of which may be `=`; undefined for
 * anything else. Node's decoder skips what is not base64 (and reads `-` and
 * `_` as base64url), so any other character, or a misplaced `=`, leaves it
 * fewer bytes than the length promises. All native scans: a JavaScript loop
 * over every character cost more CPU than the hashing when the optimizing
 * compilers are off (the image's --lite-mode).
 */
function paddedBase64Digest(text: string): string | undefined {
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - padding;
  const buffer = decodeBuffer.reserve(length);
  const written = buffer.write(text, 'base64');
  try {
    return written === length ? digest(buffer.subarray(0, length)) : undefined;
  } finally {
    decodeBuffer.release(written);
  }
}

function base64Digest(value: unknown, key: string, field: string, kind: ConfigKind): string {
  const result = paddedBase64Digest(stringValue(value, key, field, kind));
  if (result === undefined) throw new Error(`${kind} ${field} key ${JSON.stringify(key)}: value is not valid base64`);
  return result;
}

/** SHA-256 of the bytes (a string: its UTF-8), base64url, cut. One-shot: no Hash object per value. */
function digest(bytes: string | Buffer): string {
  return hash('sha256', bytes, 'base64url').slice(0, KEY_DIGEST_LENGTH);
}

function stringValue(value: unknown, key: string, field: string, kind: ConfigKind): string {
  if (typeof value !== 'string') throw new Error(`${kind} ${field} key ${JSON.stringify(key)}: value is not a string`);
  return value;
}

function entries(source: Readonly<Record<string, unknown>>, field: string, kind: ConfigKind): [string, unknown][] {
  const value = source[field];
  if (value === undefined || value === null) return [];
  return Object.entries(asRecord(value, `${kind} ${field}`));
}

function asRecord(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
