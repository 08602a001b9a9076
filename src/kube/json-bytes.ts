import { ReusedBuffer } from '../reused-buffer.ts';

/** One JSON value read from bytes: the value, or the fact that it was not JSON (never its text). */
export type ParsedJson =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly length: number };

/** No Kubernetes object comes near this; a value that grows beyond it means the stream is broken. */
export const MAX_JSON_VALUE_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The bytes of one JSON value that arrives in pieces (a watch line, a list
 * item), gathered across chunks until it is complete.
 *
 * It copies the pieces into one buffer of its own, so the caller may reuse or
 * zero its chunks once pushed, and it zeroes what it copied as soon as the
 * value is parsed or dropped: a Secret's bytes are not left in buffers. The
 * buffer is reused from value to value (see ReusedBuffer). A value that is
 * not JSON comes out as `{ ok: false }` with its length only, since it may be
 * part of a Secret.
 */
export class PendingJson {
  readonly #scratch = new ReusedBuffer();
  #bytes = 0;

  /** Bytes held so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps a copy of `piece`, the next part of the value. */
  add(piece: Uint8Array): void {
    if (piece.byteLength === 0) return;
    this.#scratch.reserve(this.#bytes + piece.byteLength, this.#bytes).set(piece, this.#bytes);
    this.#bytes += piece.byteLength;
  }

  /** Parses what was added followed by `last`, then holds nothing. Blank text gives undefined. */
  complete(last: Uint8Array): ParsedJson | undefined {
    if (this.#bytes === 0) return parse(last);
    this.add(last);
    try {
      return parse(this.#scratch.reserve(this.#bytes, this.#bytes).subarray(0, this.#bytes));
    } finally {
      this.clear();
    }
  }

  /** Zeroes and drops what was added. */
  clear(): void {
    this.#scratch.release(this.#bytes);
    this.#bytes = 0;
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
