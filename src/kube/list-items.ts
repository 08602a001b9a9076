import { MAX_JSON_VALUE_BYTES, PendingJson, type ParsedJson } from './json-bytes.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Top-level keys longer than this are none of the ones read, so their bytes are not kept. */
const MAX_KEY_BYTES = 16;

/** What a finished list response held besides its items. */
export interface ListEnvelope {
  /** The top-level `metadata` value; undefined when the response had none. */
  readonly metadata: ParsedJson | undefined;
}

/**
 * Reads a LIST response (`{"kind":…,"metadata":{…},"items":[…]}`) as it
 * streams in and hands over one item at a time, so a page is never one big
 * string nor one big parsed object.
 *
 * A single linear pass over the bytes, which never looks back: it tracks
 * whether it is inside a string (and after a backslash there), and the depth
 * of brackets outside strings. The value of the top-level key `items`, when it
 * is an array, has each element's bytes cut out and parsed on its own; the
 * value of the top-level key `metadata` is kept and parsed at the end. Every
 * other top-level value is skipped. Keys are compared as written: an escaped
 * key (`"it\u0065ms"`) is not `items` (the API server never writes one).
 *
 * It checks structure only as far as it needs it: a response whose first
 * character is not `{`, a closing bracket with nothing open, or one that ends
 * inside a value, throws. An item or the metadata larger than `maxValueBytes`
 * throws. Anything else malformed shows up as an item or metadata that is not
 * JSON (`{ ok: false }`, its length only), since it may be part of a Secret.
 *
 * Chunks may end anywhere, including inside a multi-byte character; the
 * caller may zero a chunk once it was pushed (see PendingJson).
 */
export class ListItemScanner {
  readonly #maxValueBytes: number;
  /** Open brackets outside strings. */
  #depth = 0;
  #inString = false;
  #escaped = false;
  #started = false;
  /** At depth 1: the next string is a key. */
  #expectKey = false;
  /** The top-level key being read, while its bytes fit MAX_KEY_BYTES; undefined otherwise. */
  #key: number[] | undefined;
  #keyEscaped = false;
  /** The top-level key whose value comes next, once its colon was seen. */
  #valueOf = '';
  /** The depth-2 array of items is open. */
  #inItems = false;
  /** What the value being cut out is, and at which container depth it lives. */
  #capture: { readonly what: 'item' | 'metadata'; readonly depth: number } | undefined;
  readonly #value = new PendingJson();
  #metadata: ParsedJson | undefined;

  constructor(maxValueBytes = MAX_JSON_VALUE_BYTES) {
    this.#maxValueBytes = maxValueBytes;
  }

  /** Scans `chunk`; `onItem` runs for each item it completes, in order, synchronously. */
  push(chunk: Uint8Array, onItem: (item: ParsedJson) => void): void {
    // Where the value being captured starts in this chunk (0 when it began in an earlier one).
    let from = 0;
    const n = chunk.byteLength;
    // Hot state in locals, written back after the loop (a scanner that threw is not used again).
    let inString = this.#inString;
    let escaped = this.#escaped;
    let depth = this.#depth;
    for (let i = 0; i < n; i++) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        if (this.#key === undefined) {
          i = stringEnd(chunk, i);
          if (i === n) break;
        }
        const s = chunk[i] ?? 0;
        if (s === BACKSLASH) {
          escaped = true;
          this.#keyEscaped = true;
        } else if (s === QUOTE) inString = false;
        else if (this.#key !== undefined) {
          if (this.#key.length < MAX_KEY_BYTES) this.#key.push(s);
          else this.#key = undefined;
        }
        continue;
      }
      const c = chunk[i] ?? 0;
      if (depth > 2) {
        // Inside an item or a skipped value: only strings and brackets matter.
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
        else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (!this.#started) {
        if (c !== OPEN_OBJECT) throw new Error('list response is not a JSON object');
        this.#started = true;
        depth = 1;
        this.#expectKey = true;
        continue;
      }
      const capture = this.#capture;
      if (
        capture !== undefined &&
        depth === capture.depth &&
        (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY)
      ) {
        this.#finishCapture(chunk.subarray(from, i), onItem);
      } else if (capture === undefined && depth === 2 && this.#inItems && c !== COMMA && c !== CLOSE_ARRAY) {
        this.#capture = { what: 'item', depth: 2 };
        from = i;
      } else if (
        capture === undefined &&
        depth === 1 &&
        !this.#expectKey &&
        c !== COMMA &&
        c !== CLOSE_OBJECT &&
        c !== COLON
      ) {
        if (this.#valueOf === 'items' && c === OPEN_ARRAY) this.#inItems = true;
        else if (this.#valueOf === 'metadata') {
          this.#capture = { what: 'metadata', depth: 1 };
          from = i;
        }
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && this.#expectKey) {
          this.#expectKey = false;
          this.#key = [];
          this.#keyEscaped = false;
        }
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        depth++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (depth === 0) throw new Error('list response closes a bracket it never opened');
        depth--;
        if (depth === 1) this.#inItems = false;
      } else if (depth === 1 && c === COLON) {
        this.#valueOf = this.#key === undefined || this.#keyEscaped ? '' : String.fromCharCode(...this.#key);
        this.#key = undefined;
      } else if (depth === 1 && c === COMMA) {
        this.#expectKey = true;
        this.#valueOf = '';
      }
    }
    this.#inString = inString;
    this.#escaped = escaped;
    this.#depth = depth;
    if (this.#capture !== undefined) {
      this.#value.add(chunk.subarray(from));
      if (this.#value.bytes > this.#maxValueBytes) {
        this.#value.clear();
        throw new Error(`a list ${this.#capture.what} exceeds ${this.#maxValueBytes} bytes`);
      }
    }
  }

  /** The response ended: what it held besides its items. Throws when it ended inside a value. */
  end(): ListEnvelope {
    this.#value.clear();
    if (!this.#started || this.#depth !== 0 || this.#inString) throw new Error('list response ended inside a value');
    return { metadata: this.#metadata };
  }

  #finishCapture(last: Uint8Array, onItem: (item: ParsedJson) => void): void {
    const what = this.#capture?.what;
    this.#capture = undefined;
    if (this.#value.bytes + last.byteLength > this.#maxValueBytes) {
      this.#value.clear();
      throw new Error(`a list ${what ?? 'value'} exceeds ${this.#maxValueBytes} bytes`);
    }
    const parsed = this.#value.complete(last);
    if (parsed === undefined) return;
    if (what === 'metadata') this.#metadata = parsed;
    else onItem(parsed);
  }
}

/** The first quote or backslash at or after `from`, or the chunk's length: string contents skipped in one tight pass. */
function stringEnd(chunk: Uint8Array, from: number): number {
  const n = chunk.byteLength;
  let i = from;
  while (i < n) {
    const b = chunk[i];
    if (b === QUOTE || b === BACKSLASH) return i;
    i++;
  }
  return n;
}
