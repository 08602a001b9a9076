import { nodeFs } from './node-fs.ts';

export type LogFormat = 'json' | 'text';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Logs one record: a message alone, or fields and then an optional message. */
export interface LogMethod {
  (msg: string): void;
  (fields: object, msg?: string): void;
}

/** The logging surface the controller uses; its records are pino-style JSON lines. */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** A logger whose every record also carries `bindings`, after those of this one. */
  child(bindings: object): Logger;
}

/** Where records go: one `write` per record, each a whole line ending in "\n". */
export interface LogDestination {
  write(line: string): void;
}

/**
 * Where ConfigMap and Secret values live. Nothing should ever log an object
 * that holds them; this is the safety net for a mistake, up to three levels
 * down (`{ data }`, `{ obj: { data } }`, `{ event: { object: { data } } }`).
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['data', 'stringData', 'binaryData']);
const REDACT_DEPTH = 3;
export const REDACTED = '[redacted]';

/** pino's numbers, which log pipelines know. */
const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 };
/** Fields that every record has; the text format shows them at the front. */
const LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * A logger writing one record per line to `out` (stdout by default, written
 * synchronously, so nothing is lost when the process exits right after).
 *
 * - `json`: pino's JSON lines, what log pipelines and the integration tests
 *   read: `{"level":30,"time":"<ISO>",<bindings>,<fields>,"msg":"…"}`, with
 *   the child bindings, outermost first, then the record's fields, in the
 *   order given (a field that repeats a binding appears twice, as in pino).
 *   An Error under `err` (or given in place of the fields) becomes
 *   `{type, message, stack, …its own fields}`; other values are JSON.
 * - `text`: logfmt, the format of logrus, which Stakater Reloader prints by
 *   default: `time=… level=info msg="rolled" workload=Deployment/ns/web`.
 *   It is rendered from the JSON line, so redaction has already happened.
 *
 * Records below `level` cost one comparison: nothing is formatted for them.
 */
export function createLogger(format: LogFormat, level: LogLevel, out: LogDestination = { write: writeStdout }): Logger {
  const write =
    format === 'json'
      ? (line: string): void => {
          out.write(line);
        }
      : (line: string): void => {
          out.write(logfmtLine(line));
        };
  return new LineLogger(LEVEL_VALUES[level], write, '');
}

class LineLogger implements Logger {
  readonly #threshold: number;
  readonly #write: (line: string) => void;
  /** The bindings as JSON members, each preceded by a comma. */
  readonly #bindings: string;

  constructor(threshold: number, write: (line: string) => void, bindings: string) {
    this.#threshold = threshold;
    this.#write = write;
    this.#bindings = bindings;
  }

  readonly trace: LogMethod = (fields: object | string, msg?: string) => {
    if (this.#threshold <= 10) this.#log(10, fields, msg);
  };
  readonly debug: LogMethod = (fields: object | string, msg?: string) => {
    if (this.#threshold <= 20) this.#log(20, fields, msg);
  };
  readonly info: LogMethod = (fields: object | string, msg?: string) => {
    if (this.#threshold <= 30) this.#log(30, fields, msg);
  };
  readonly warn: LogMethod = (fields: object | string, msg?: string) => {
    if (this.#threshold <= 40) this.#log(40, fields, msg);
  };
  readonly error: LogMethod = (fields: object | string, msg?: string) => {
    if (this.#threshold <= 50) this.#log(50, fields, msg);
  };

  child(bindings: object): Logger {
    return new LineLogger(this.#threshold, this.#write, this.#bindings + jsonMembers(bindings));
  }

  #log(level: number, fields: object | string, msg: string | undefined): void {
    const members = typeof fields === 'string' ? '' : jsonMembers(fields instanceof Error ? { err: fields } : fields);
    const text = typeof fields === 'string' ? fields : msg;
    const message = text === undefined ? '' : `,"msg":${JSON.stringify(text)}`;
    this.#write(`{"level":${level},"time":"${new Date().toISOString()}"${this.#bindings}${members}${message}}\n`);
  }
}

/** `fields` as JSON object members (`,"key":value` each), redacted; members whose value JSON cannot show are left out. */
function jsonMembers(fields: object): string {
  let out = '';
  for (const [key, raw] of Object.entries(fields as Record<string, unknown>)) {
    const value = key === 'err' ? errorRecord(raw) : raw;
    const json = toJson(SECRET_FIELDS.has(key) && value !== undefined ? REDACTED : redacted(value, 1));
    if (json !== undefined) out += `,${JSON.stringify(key)}:${json}`;
  }
  return out;
}

/** `value` with its secret fields censored down to REDACT_DEPTH levels below the record; shares whatever has none. */
function redacted(value: unknown, depth: number): unknown {
  if (depth >= REDACT_DEPTH || typeof value !== 'object' || value === null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const next = SECRET_FIELDS.has(key) && inner !== undefined ? REDACTED : redacted(inner, depth + 1);
    if (next === inner) continue;
    // The copy keeps the prototype, so a toJSON or an array shape survives.
    copy ??= Object.assign(
      Array.isArray(value) ? [] : (Object.create(Object.getPrototypeOf(value) as object | null) as object),
      value,
    ) as Record<string, unknown>;
    copy[key] = next;
  }
  return copy ?? value;
}

/** An Error as pino shows it; anything else unchanged. */
function errorRecord(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    type: value.constructor.name,
    message: value.message,
    stack: value.stack,
    ...Object.fromEntries(Object.entries(value)),
  };
}

/** JSON text of `value`, undefined where JSON has none (undefined, functions, symbols); cycles become "[Circular]". */
function toJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    const ancestors: unknown[] = [];
    return JSON.stringify(value, function (this: unknown, _key, inner: unknown) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (typeof inner === 'bigint') return inner.toString();
      if (typeof inner !== 'object' || inner === null) return inner;
      if (ancestors.includes(inner)) return '[Circular]';
      ancestors.push(inner);
      return inner;
    });
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes `line` to fd 1 before returning; waits out a full pipe (EAGAIN) rather than drop or reorder lines. */
function writeStdout(line: string): void {
  const bytes = Buffer.from(line);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += nodeFs.writeSync(1, bytes, offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EBUSY') throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

/** Renders one JSON log line as logfmt; a line that is not JSON passes through unchanged. */
export function logfmtLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, msg, ...fields } = record;
  const parts = [
    `time=${logfmtValue(time ?? new Date().toISOString())}`,
    `level=${typeof level === 'number' ? (LEVEL_LABELS[level] ?? String(level)) : logfmtValue(level)}`,
    `msg=${logfmtValue(msg ?? '')}`,
  ];
  for (const [key, value] of Object.entries(fields)) parts.push(`${key}=${logfmtValue(fieldValue(key, value))}`);
  return `${parts.join(' ')}\n`;
}

/** An error serialized as a record reads best as its message; its stack stays in the JSON format. */
function fieldValue(key: string, value: unknown): unknown {
  if (key === 'err' && typeof value === 'object' && value !== null && 'message' in value) return value.message;
  return value;
}

function logfmtValue(value: unknown): string {
  // Values come from JSON.parse, so JSON.stringify always has a string for them.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== '' && /^[^\s"=\\]+$/u.test(text) ? text : JSON.stringify(text);
}
