import { parseDuration } from '../duration.ts';
import { parseListenAddress } from '../http/listen.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.ts';
import { ALERT_SINKS, type AlertSink } from '../notify/alert-message.ts';
import { parseMaintenanceWindows, type MaintenanceWindow } from '../reload/maintenance-window.ts';
import { parseRolloutWaves, type WaveEnd } from '../reload/rollout-waves.ts';
import { RELOAD_STRATEGIES, type ReloadStrategy } from '../reload/reload-strategy.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../model/workload-kind.ts';
import { commaList, distinct } from './csv-list.ts';
import { invalid, q, type ValueParser } from './value-parser.ts';

// The value parsers of the flags that are not names, lists of names or selectors.
// Every message is complete: `"<value>" <problem> (<allowed>)`.

export const booleanValue: ValueParser<boolean> = (raw) => {
  // Go's strconv.ParseBool, which Stakater's flags use.
  const s = raw.trim().toLowerCase();
  if (s === 'true' || s === 't' || s === '1') return true;
  if (s === 'false' || s === 'f' || s === '0') return false;
  return invalid(`${q(raw)} is not a boolean (allowed: true, false)`);
};

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  const allowed =
    max === Number.MAX_SAFE_INTEGER
      ? `(allowed: a whole number, at least ${min})`
      : `(allowed: a whole number from ${min} to ${max})`;
  return (raw) => {
    if (!/^\s*\+?\d+\s*$/.test(raw)) invalid(`${q(raw)} is not a whole number ${allowed}`);
    // Messages past this point quote the number read, not its spelling: "+07" is "7".
    const n = Number(raw);
    if (n < min) invalid(`${q(n)} is too small ${allowed}`);
    if (n > max) invalid(`${q(n)} is too large ${allowed}`);
    return n;
  };
}

export const positiveNumber: ValueParser<number> = (raw) => {
  if (!/^\s*\+?(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(raw))
    invalid(`${q(raw)} is not a number (allowed: a number above 0, e.g. 10 or 0.5)`);
  const n = Number(raw);
  if (!Number.isFinite(n)) invalid(`${q(n)} is too large (allowed: a finite number above 0)`);
  if (n <= 0) invalid(`${q(n)} is not above 0 (allowed: a number above 0, e.g. 10 or 0.5)`);
  return n;
};

export function duration(maxMs: number, maxText: string): ValueParser<number> {
  return (raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined) return invalid(`${q(raw)} is not a duration (examples: 2s, 500ms, 1m30s, 0)`);
    if (ms < 0) return invalid(`${q(raw)} is negative (allowed: 0 up to ${maxText}, e.g. 2s)`);
    if (ms > maxMs) return invalid(`${q(raw)} is too long (allowed: 0 up to ${maxText})`);
    return ms;
  };
}

/** A duration from `minMs` up to `maxMs`. */
export function durationBetween(minMs: number, maxMs: number, minText: string, maxText: string): ValueParser<number> {
  const upTo = duration(maxMs, maxText);
  return (raw) => {
    const ms = upTo(raw);
    if (ms < minMs) return invalid(`${q(raw)} is too short (allowed: ${minText} up to ${maxText})`);
    return ms;
  };
}

export const maintenanceWindows: ValueParser<readonly MaintenanceWindow[]> = (raw) => {
  const parsed = parseMaintenanceWindows(raw);
  if (!parsed.ok) return invalid(`${q(raw)} is not a list of maintenance windows: ${parsed.error}`);
  return parsed.windows;
};

export const rolloutWaves: ValueParser<readonly WaveEnd[]> = (raw) => {
  if (raw === '') return [];
  const parsed = parseRolloutWaves(raw);
  if (!parsed.ok) return invalid(`${q(raw)} is not a wave plan (e.g. "1,10%,50%,100%"): ${parsed.error}`);
  return parsed.ends;
};

export const fieldManager: ValueParser<string> = (raw) => {
  if (raw === '' || raw.length > 128 || /\p{C}/u.test(raw))
    return invalid(`${q(raw)} is not a field manager name (allowed: 1 to 128 printable characters)`);
  return raw;
};

export const listenAddress: ValueParser<string> = (raw) => {
  try {
    parseListenAddress(raw);
  } catch (err) {
    return invalid(
      `${q(raw)} ${err instanceof Error ? err.message : String(err)} (allowed: host:port or :port, e.g. :9090, 127.0.0.1:9090, [::1]:9090)`,
    );
  }
  return raw;
};

/** One of `accepted`'s keys, in any letter case; `shown` is what the error message lists. */
function choice<T extends string>(what: string, accepted: Readonly<Record<string, T>>, shown: string): ValueParser<T> {
  return (raw) => accepted[raw.trim().toLowerCase()] ?? invalid(`${q(raw)} is not ${what} (allowed: ${shown})`);
}

export const logFormat = choice<LogFormat>(
  'a log format',
  { ...Object.fromEntries(LOG_FORMATS.map((f) => [f, f])), '': 'text' },
  LOG_FORMATS.join(', '),
);
export const logLevel = choice<LogLevel>(
  'a log level',
  { ...Object.fromEntries(LOG_LEVELS.map((l) => [l, l])), warning: 'warn', fatal: 'error', panic: 'error' },
  `${LOG_LEVELS.join(', ')}; Stakater's warning, fatal and panic also work`,
);

const configKinds = distinct(
  commaList(
    choice<ConfigKind>('a kind of resource', { configmaps: 'ConfigMap', secrets: 'Secret' }, 'configMaps, secrets'),
  ),
);

export const resourcesToIgnore: ValueParser<ConfigKind[]> = (raw) => {
  const kinds = configKinds(raw);
  if (kinds.length > 1)
    return invalid(
      '"configMaps,secrets" ignores both kinds, which leaves nothing to watch (allowed: configMaps or secrets, not both)',
    );
  return kinds;
};

export const workloadTypes = distinct(
  commaList(
    choice<WorkloadKind>(
      'a workload type',
      Object.fromEntries(
        WORKLOAD_KINDS.flatMap((k) => [
          [k.typeName, k.kind],
          [k.kind.toLowerCase(), k.kind],
        ]),
      ),
      WORKLOAD_KINDS.map((k) => k.typeName).join(', '),
    ),
  ),
);

export const reloadStrategy = choice<ReloadStrategy>(
  'a reload strategy',
  Object.fromEntries(RELOAD_STRATEGIES.map((r) => [r, r])),
  RELOAD_STRATEGIES.join(', '),
);

/** An http(s) URL; never quoted back in errors, as webhook URLs often hold a token. */
export const httpUrl: ValueParser<string | undefined> = (raw) => {
  const s = raw.trim();
  if (s === '') return undefined;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return invalid(
      'the value is not an absolute URL (allowed: http://host/path or https://host/path; not repeated here, as such URLs often hold a token)',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return invalid(`the URL has scheme ${q(url.protocol)} (allowed: http, https)`);
  return s;
};

export const alertSink = choice<Exclude<AlertSink, 'webhook'>>(
  'an alert sink',
  Object.fromEntries(ALERT_SINKS.map((k) => [k, k === 'webhook' ? 'raw' : k])),
  `${ALERT_SINKS.join(', ')} (webhook is raw)`,
);

/** Stakater's METRICS_COUNT_BY_NAMESPACE=enabled, and booleans. */
export const enabledValue: ValueParser<boolean> = (raw) => {
  const s = raw.trim().toLowerCase();
  if (s === 'enabled' || s === 'true' || s === '1') return true;
  if (s === 'disabled' || s === 'false' || s === '0' || s === '') return false;
  return invalid(`${q(raw)} is not enabled or disabled (allowed: enabled, disabled, true, false)`);
};

export const optionalText: ValueParser<string | undefined> = (s) => (s === '' ? undefined : s);
