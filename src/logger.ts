import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogFormat = 'json' | 'text';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * Where ConfigMap and Secret values live. Nothing should ever log an object
 * that holds them; this is the safety net for a mistake, up to three levels
 * down (`{ data }`, `{ obj: { data } }`, `{ event: { object: { data } } }`).
 */
const SECRET_FIELDS = ['data', 'stringData', 'binaryData'];
const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
export const REDACTED = '[redacted]';

/** Fields that every record has; the text format shows them at the front. */
const LEVEL_LABELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * A pino logger writing one record per line to `out` (stdout by default).
 *
 * - `json`: pino's JSON lines (numeric `level`, `msg`, ISO `time`), what log
 *   pipelines and the integration tests read.
 * - `text`: logfmt, the format of logrus, which Stakater Reloader prints by
 *   default: `time=… level=info msg="rolled" workload=Deployment/ns/web`.
 *   It is rendered in-process from each JSON line, so there is no transport
 *   worker and no extra dependency, and redaction has already happened.
 */
export function createLogger(format: LogFormat, level: LogLevel, out: DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    base: undefined,
  };
  if (format === 'json') return pino(options, out);
  return pino(options, { write: (line: string) => { out.write(logfmtLine(line)); } });
}

/** Renders one pino JSON line as logfmt; a line that is not JSON passes through unchanged. */
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

/** An error serialized by pino reads best as its message; its stack stays in the JSON format. */
function fieldValue(key: string, value: unknown): unknown {
  if (key === 'err' && typeof value === 'object' && value !== null && 'message' in value) return value.message;
  return value;
}

function logfmtValue(value: unknown): string {
  // Values come from JSON.parse, so JSON.stringify always has a string for them.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== '' && /^[^\s"=\\]+$/u.test(text) ? text : JSON.stringify(text);
}
