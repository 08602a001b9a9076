/** One JSON value read from bytes: the value, or the fact that it was not JSON (never its text). */
export type ParsedJson =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly length: number };

/** No Kubernetes object comes near this; a value that grows beyond it means the stream is broken. */
export const MAX_JSON_VALUE_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A gathering buffer at most this large is kept for the next value: enough
 * for a watch event of any usual object, little per stream. A larger value
 * gets a buffer of its own, dropped (zeroed) once it is parsed.
 */
const KEPT_BUFFER_BYTES = 64 * 1024;

/**
 * The bytes of one JSON value that arrives in pieces (a watch line, a list
 * item), gathered across chunks until it is complete.
 *
 * It copies the pieces into one buffer of its own, so the caller may reuse or
 * zero its chunks once pushed, and it zeroes what it copied as soon as the
 * value is parsed or dropped: a Secret's bytes are not left in buffers. The
 * buffer is reused from value to value: a buffer per value, freed only when
 * the garbage collector gets to it, made the allocator's heap grow during an
 * initial sync and stay grown. A value that is not JSON comes out as
 * `{ ok: false }` with its length only, since it may be part of a Secret.
 */
export class PendingJson {
  #buffer = new Uint8Array(0);
  #bytes = 0;

  /** Bytes held so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps a copy of `piece`, the next part of the value. */
  add(piece: Uint8Array): void {
    if (piece.byteLength === 0) return;
    this.#reserve(this.#bytes + piece.byteLength);
    this.#buffer.set(piece, this.#bytes);
    this.#bytes += piece.byteLength;
  }

  /** Parses what was added followed by `last`, then holds nothing. Blank text gives undefined. */
  complete(last: Uint8Array): ParsedJson | undefined {
    if (this.#bytes === 0) return parse(last);
    this.add(last);
    try {
      return parse(this.#buffer.subarray(0, this.#bytes));
    } finally {
      this.clear();
    }
  }

  /** Zeroes and drops what was added. */
  clear(): void {
    this.#buffer.fill(0, 0, this.#bytes);
    this.#bytes = 0;
    if (this.#buffer.byteLength > KEPT_BUFFER_BYTES) this.#buffer = new Uint8Array(0);
  }

  /** Grows the buffer to hold `bytes`, at least doubling it, and zeroes the one it replaces. */
  #reserve(bytes: number): void {
    if (bytes <= this.#buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(bytes, 2 * this.#buffer.byteLength, 4096));
    grown.set(this.#buffer.subarray(0, this.#bytes));
    this.#buffer.fill(0, 0, this.#bytes);
    this.#buffer = grown;
  }
}

function parse(bytes: Uint8Array): ParsedJson | undefined {
  const text = decoder.decode(bytes);
  if (text.trim() === '') return undefined;
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, length: text.length };
  }
}
