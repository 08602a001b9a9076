/** One line of the stream: its JSON value, or the fact that it was not JSON (never its text). */
export type JsonLine = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly length: number };

/**
 * Splits a byte stream of newline-delimited JSON (a watch response) into
 * parsed values. Chunks may end anywhere: inside a line, inside a multi-byte
 * UTF-8 character, or hold several lines. Blank lines are dropped. A line that
 * is not JSON comes out as `{ ok: false }` with its length only, since it may
 * be part of a Secret. A line longer than `maxLineBytes` throws: no
 * Kubernetes object comes near it, so the stream is broken.
 */
export class JsonLineSplitter {
  readonly #decoder = new TextDecoder('utf-8', { fatal: false });
  readonly #maxLineBytes: number;
  #pending = '';
  #pendingBytes = 0;

  constructor(maxLineBytes = 64 * 1024 * 1024) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The lines completed by this chunk, in order. */
  push(chunk: Uint8Array): JsonLine[] {
    const text = this.#decoder.decode(chunk, { stream: true });
    const lines: JsonLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      const line = this.#pending + text.slice(start, newline);
      this.#pending = '';
      addLine(lines, line);
      start = newline + 1;
    }
    if (start < text.length) this.#pending += text.slice(start);
    // A newline byte never occurs inside a multi-byte UTF-8 character, so the
    // bytes after the chunk's last one are exactly what is still pending.
    const lastNewline = chunk.lastIndexOf(0x0a);
    this.#pendingBytes = lastNewline === -1 ? this.#pendingBytes + chunk.byteLength : chunk.byteLength - lastNewline - 1;
    if (this.#pendingBytes > this.#maxLineBytes) {
      throw new Error(`stream line exceeds ${this.#maxLineBytes} bytes`);
    }
    return lines;
  }

  /** The last line, when the stream ended without a newline after it. */
  end(): JsonLine[] {
    const line = this.#pending + this.#decoder.decode();
    this.#pending = '';
    this.#pendingBytes = 0;
    const lines: JsonLine[] = [];
    addLine(lines, line);
    return lines;
  }
}

function addLine(lines: JsonLine[], line: string): void {
  if (line.trim() === '') return;
  try {
    lines.push({ ok: true, value: JSON.parse(line) });
  } catch {
    lines.push({ ok: false, length: line.length });
  }
}
