import { MAX_JSON_VALUE_BYTES, PendingJson, type ParsedJson } from './json-bytes.ts';

/** One line of the stream: its JSON value, or the fact that it was not JSON (never its text). */
export type JsonLine = ParsedJson;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream of newline-delimited JSON (a watch response) into
 * parsed values. Chunks may end anywhere: inside a line, inside a multi-byte
 * UTF-8 character, or hold several lines. Blank lines are dropped. A line that
 * is not JSON comes out as `{ ok: false }` with its length only, since it may
 * be part of a Secret. A line longer than `maxLineBytes` throws: no
 * Kubernetes object comes near it, so the stream is broken.
 *
 * Each line is decoded and parsed on its own, and the unfinished line is kept
 * as a zeroed-after-use copy of its bytes (see PendingJson), never as text: a
 * slice of a decoded chunk would keep the whole chunk, earlier lines
 * included, reachable. The caller may zero a chunk once it was pushed.
 */
export class JsonLineSplitter {
  readonly #maxLineBytes: number;
  readonly #pending = new PendingJson();

  constructor(maxLineBytes = MAX_JSON_VALUE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The lines completed by this chunk, in order. */
  push(chunk: Uint8Array): JsonLine[] {
    const lines: JsonLine[] = [];
    let start = 0;
    // A newline byte never occurs inside a multi-byte UTF-8 character.
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const line = this.#pending.complete(chunk.subarray(start, newline));
      if (line !== undefined) lines.push(line);
      start = newline + 1;
    }
    this.#pending.add(chunk.subarray(start));
    if (this.#pending.bytes > this.#maxLineBytes) {
      this.#pending.clear();
      throw new Error(`stream line exceeds ${this.#maxLineBytes} bytes`);
    }
    return lines;
  }

  /** The last line, when the stream ended without a newline after it. */
  end(): JsonLine[] {
    const line = this.#pending.complete(new Uint8Array(0));
    return line === undefined ? [] : [line];
  }
}
