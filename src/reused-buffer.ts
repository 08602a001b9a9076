/** A buffer at most this large is kept for the next use; a larger one is dropped once released. */
const KEPT_BYTES = 64 * 1024;

/**
 * A scratch buffer reused from value to value, for bytes that may be a
 * Secret's: whoever reserves it zeroes what it wrote by releasing it.
 * A fresh buffer per value, freed only when the garbage collector gets to
 * it, made the allocator's heap grow during an initial sync and stay grown;
 * one kept buffer (up to 64 KiB, enough for any usual object) does not.
 *
 * ```ts
 * const scratch = new ReusedBuffer();
 * const buffer = scratch.reserve(3);
 * const written = buffer.write('AQID', 'base64');
 * scratch.release(written); // the 3 bytes are zeroed
 * ```
 */
export class ReusedBuffer {
  #buffer = Buffer.alloc(0);

  /**
   * A buffer of at least `bytes`, whose first `keep` bytes are those of the
   * one reserved before (at least doubled when it has to grow; the one it
   * replaces is zeroed).
   */
  reserve(bytes: number, keep = 0): Buffer {
    if (bytes <= this.#buffer.byteLength) return this.#buffer;
    const grown = Buffer.alloc(Math.max(bytes, 2 * this.#buffer.byteLength, 4096));
    this.#buffer.copy(grown, 0, 0, keep);
    this.#buffer.fill(0, 0, keep);
    this.#buffer = grown;
    return grown;
  }

  /** Zeroes the first `used` bytes; a buffer grown beyond 64 KiB is dropped. */
  release(used: number): void {
    this.#buffer.fill(0, 0, used);
    if (this.#buffer.byteLength > KEPT_BYTES) this.#buffer = Buffer.alloc(0);
  }
}
