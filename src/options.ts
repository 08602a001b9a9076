import { parseDuration } from './duration.ts';
import { parseListenAddress } from './http/listen.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.ts';
import { mapAnnotations, type AnnotationKey, type AnnotationNames } from './model/annotations.ts';
import { ALERT_SINKS, type AlertSink } from './notify/alert-message.ts';
import { RELOAD_STRATEGIES, type ReloadStrategy } from './reload/reload-strategy.ts';
import type { ConfigKind } from './model/config-kind.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from './model/workload-kind.ts';

/**
 * A bad flag or environment variable. The message starts with the flag or
 * variable, then the bad value and what is allowed, e.g.
 * `--debounce: "abc" is not a duration (examples: 2s, 500ms, 0)`.
 */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

/** Leader election with a Lease: only the leader writes; the others keep their caches warm. */
export interface HaOptions {
  readonly leaseName: string;
  readonly leaseNamespace: string;
  /** This replica's name in the Lease. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** ALERT_ON_RELOAD: a message to a chat or HTTP receiver after each roll. */
export interface AlertOptions {
  /** `webhook`, Stakater's default name, is read as `raw`. */
  readonly sink: Exclude<AlertSink, 'webhook'>;
  readonly url: string;
  readonly additionalInfo: string | undefined;
  readonly proxy: string | undefined;
  /** The raw sink gets a JSON body (Stakater v2's --alert-structured) instead of text. */
  readonly structured: boolean;
}

/** Everything `mini-reloader run` was asked to do, validated. */
export interface RunOptions {
  /** Undefined: the caller tries ~/.kube/config, then the in-cluster service account. */
  readonly kubeconfig: string | undefined;
  /** Namespaced mode when not empty: only these namespaces, each watched on its own. Empty: cluster-wide. */
  readonly namespaces: readonly string[];
  /** Cluster-wide mode only. */
  readonly namespacesToIgnore: readonly string[];
  /** A label selector for namespaces, normalized (Stakater's `k:v` becomes `k=v`). Cluster-wide mode only. */
  readonly namespaceSelector: string | undefined;
  /** A label selector for the ConfigMaps and Secrets watched, normalized. */
  readonly resourceLabelSelector: string | undefined;
  /** 0: no debounce. */
  readonly debounceMs: number;
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly workers: number;
  readonly maxRollsPerSecond: number;
  readonly maxRollsBurst: number;
  readonly adoptionWritesPerSecond: number;
  /** host:port, already checked to be bindable syntax. */
  readonly metricsAddress: string;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  readonly enabledLabel: string;
  readonly hashAnnotation: string;
  readonly autoReloadAll: boolean;
  /** At most one kind: ignoring both would leave nothing to do. */
  readonly resourcesToIgnore: readonly ConfigKind[];
  /** Workload kinds never watched or rolled, by their plural type names. */
  readonly ignoredWorkloadTypes: readonly WorkloadKind[];
  readonly reloadStrategy: ReloadStrategy;
  readonly reloadOnCreate: boolean;
  readonly reloadOnDelete: boolean;
  readonly startCronJobRuns: boolean;
  /** Set: POST each roll there instead of rolling. */
  readonly webhookUrl: string | undefined;
  /** Set: run with leader election. */
  readonly ha: HaOptions | undefined;
  readonly metricsByNamespace: boolean;
  /** Set: alert after each roll. */
  readonly alerts: AlertOptions | undefined;
  readonly annotations: AnnotationNames;
  /** Set: serve heap snapshots and CPU profiles on this host:port. */
  readonly profilingAddress: string | undefined;
  /**
   * Settings that were given but are ignored, each saying what and why
   * (where Stakater Reloader warns and carries on, so does mini-reloader).
   * The caller logs them once its logger exists.
   */
  readonly warnings: readonly string[];
}

export type FlagGroup = 'Stakater Reloader compatibility' | 'Cluster access' | 'Scope' | 'Rolling' | 'High availability' | 'Alerts' | 'Observability' | 'Annotation names (Stakater Reloader compatible)';

/** One flag, as `--help` and the README show it. */
export interface FlagSpec {
  /** The name without its dashes: `debounce` is `--debounce`. */
  readonly flag: string;
  /** Other accepted names, without dashes (e.g. Stakater's spelling). */
  readonly aliases: readonly string[];
  /** The environment variable read when the flag is absent, if any. */
  readonly env: string | undefined;
  /** A switch: `--flag`, `--flag=true`, `--flag=false`. */
  readonly boolean: boolean;
  /**
   * A switch that Stakater declares as a string flag holding "true" or
   * "false": it also takes its value as the next argument
   * (`--reload-on-create true`).
   */
  readonly stringSwitch: boolean;
  /** Placeholder for the value in help, e.g. `duration`; empty for booleans. */
  readonly value: string;
  /** The default as it would be typed; undefined when there is none; '' for an empty list. */
  readonly default: string | undefined;
  /** The default under --stakater-defaults, where Stakater Reloader's differs from ours. */
  readonly stakaterDefault: string | undefined;
  readonly description: string;
  readonly group: FlagGroup;
}

/**
 * Turns one raw string (from a flag or its env var) into a value, or throws
 * InvalidValue with a complete message: `"<value>" <problem> (<allowed>)`.
 */
type ValueParser<T> = (raw: string) => T;

/** A raw value a ValueParser refuses; the message is complete, without the flag's name. */
class InvalidValue extends Error {
  override readonly name = 'InvalidValue';
}

function invalid(message: string): never {
  throw new InvalidValue(message);
}

interface FlagDef<T> {
  readonly spec: FlagSpec;
  readonly parse: ValueParser<T>;
  /** The value when neither the flag nor its env var is given: the parsed default. */
  readonly fallback: T;
  /** The fallback under --stakater-defaults. */
  readonly stakaterFallback: T;
  /** How the values of a repeated flag add up; without it the last one wins. */
  readonly combine: ((earlier: T, later: T) => T) | undefined;
}

type SpecInput = Omit<FlagSpec, 'aliases' | 'env' | 'boolean' | 'stringSwitch' | 'default' | 'stakaterDefault'> & {
  readonly aliases?: readonly string[];
  readonly env?: string;
  readonly boolean?: boolean;
  readonly stringSwitch?: boolean;
  readonly stakaterDefault?: string;
};

function flag<T>(spec: SpecInput & { readonly default: string }, parse: ValueParser<T>, combine?: (a: T, b: T) => T): FlagDef<T> {
  const fallback = parseDefault(spec, parse, spec.default);
  const stakaterFallback = spec.stakaterDefault === undefined ? fallback : parseDefault(spec, parse, spec.stakaterDefault);
  return { spec: toSpec(spec, spec.default), parse, fallback, stakaterFallback, combine };
}

function parseDefault<T>(spec: SpecInput, parse: ValueParser<T>, raw: string): T {
  try {
    return parse(raw);
  } catch (err) {
    throw new Error(`default ${q(raw)} of --${spec.flag} does not parse: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function optionalFlag<T>(spec: SpecInput, parse: ValueParser<T | undefined>, combine?: (a: T | undefined, b: T | undefined) => T | undefined): FlagDef<T | undefined> {
  return { spec: toSpec(spec, undefined), parse, fallback: undefined, stakaterFallback: undefined, combine };
}

function toSpec(spec: SpecInput, fallback: string | undefined): FlagSpec {
  return Object.freeze({
    flag: spec.flag,
    aliases: Object.freeze([...(spec.aliases ?? [])]),
    env: spec.env,
    boolean: spec.boolean ?? false,
    stringSwitch: spec.stringSwitch ?? false,
    value: spec.value,
    default: fallback,
    stakaterDefault: spec.stakaterDefault,
    description: spec.description,
    group: spec.group,
  });
}

// ---------------------------------------------------------------------------
// Value parsers. Every message is complete: `"<value>" <problem> (<allowed>)`.

const q = (value: unknown): string => JSON.stringify(String(value));

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const NAMESPACE_ALLOWED = "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
const SELECTOR_ALLOWED = 'comma-joined k=v, k!=v, k, !k, k in (a,b), k notin (a,b)';

const CSV_ALLOWED = 'comma-separated items; an item in double quotes may hold commas, and "" in it is one quote';

/**
 * The items of a value as Stakater's list flags (pflag StringSlice) read it:
 * one CSV record, as Go's encoding/csv reads it, so an item in double quotes
 * may hold commas. Unlike Go, blanks around a quoted item are allowed.
 * Linear in the length of `raw`.
 */
function csvItems(raw: string): string[] {
  const items: string[] = [];
  let start = 0;
  for (;;) {
    let at = start;
    while (raw[at] === ' ' || raw[at] === '\t') at++;
    if (raw[at] === '"') {
      let item = '';
      at++;
      for (;;) {
        const close = raw.indexOf('"', at);
        if (close === -1) return invalid(`${q(raw)} has a '"' without its closing '"' (allowed: ${CSV_ALLOWED})`);
        item += raw.slice(at, close);
        at = close + 1;
        if (raw[at] !== '"') break;
        item += '"';
        at++;
      }
      while (raw[at] === ' ' || raw[at] === '\t') at++;
      if (at < raw.length && raw[at] !== ',') invalid(`${q(raw)} has text after a closing '"' (allowed: ${CSV_ALLOWED})`);
      items.push(item);
    } else {
      const comma = raw.indexOf(',', at);
      at = comma === -1 ? raw.length : comma;
      const item = raw.slice(start, at);
      if (item.includes('"')) invalid(`${q(raw)} has a '"' inside an item that does not start with one (allowed: ${CSV_ALLOWED})`);
      items.push(item);
    }
    if (at >= raw.length) return items;
    start = at + 1;
  }
}

/** A comma list as Stakater's list flags take it (CSV): entries trimmed, empty ones dropped, each checked by `item`. */
function commaList<T>(item: ValueParser<T>): ValueParser<T[]> {
  return (raw) => csvItems(raw).map((p) => p.trim()).filter((p) => p !== '').map(item);
}

/** `list` without repeats, first occurrence first. */
function distinct<T>(list: ValueParser<T[]>): ValueParser<T[]> {
  return (raw) => [...new Set(list(raw))];
}

const namespaceName: ValueParser<string> = (raw) => (DNS1123_LABEL.test(raw) ? raw : invalid(`${q(raw)} is not a valid namespace name (allowed: ${NAMESPACE_ALLOWED})`));

const namespaceList = distinct(commaList(namespaceName));

const booleanValue: ValueParser<boolean> = (raw) => {
  // Go's strconv.ParseBool, which Stakater's flags use.
  const s = raw.trim().toLowerCase();
  if (s === 'true' || s === 't' || s === '1') return true;
  if (s === 'false' || s === 'f' || s === '0') return false;
  return invalid(`${q(raw)} is not a boolean (allowed: true, false)`);
};

function integer(min: number, max = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `(allowed: a whole number, at least ${min})` : `(allowed: a whole number from ${min} to ${max})`;
  return (raw) => {
    if (!/^\s*\+?\d+\s*$/.test(raw)) invalid(`${q(raw)} is not a whole number ${allowed}`);
    // Messages past this point quote the number read, not its spelling: "+07" is "7".
    const n = Number(raw);
    if (n < min) invalid(`${q(n)} is too small ${allowed}`);
    if (n > max) invalid(`${q(n)} is too large ${allowed}`);
    return n;
  };
}

const positiveNumber: ValueParser<number> = (raw) => {
  if (!/^\s*\+?(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(raw)) invalid(`${q(raw)} is not a number (allowed: a number above 0, e.g. 10 or 0.5)`);
  const n = Number(raw);
  if (!Number.isFinite(n)) invalid(`${q(n)} is too large (allowed: a finite number above 0)`);
  if (n <= 0) invalid(`${q(n)} is not above 0 (allowed: a number above 0, e.g. 10 or 0.5)`);
  return n;
};

function duration(maxMs: number, maxText: string): ValueParser<number> {
  return (raw) => {
    const ms = parseDuration(raw);
    if (ms === undefined) return invalid(`${q(raw)} is not a duration (examples: 2s, 500ms, 1m30s, 0)`);
    if (ms < 0) return invalid(`${q(raw)} is negative (allowed: 0 up to ${maxText}, e.g. 2s)`);
    if (ms > maxMs) return invalid(`${q(raw)} is too long (allowed: 0 up to ${maxText})`);
    return ms;
  };
}

/** Why `key` is not a valid label key or annotation name (`[prefix/]name`), or undefined when it is. */
function qualifiedNameProblem(key: string, maxNameLength = 63): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "has more than one '/'";
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) return `has a prefix "${prefix}" that is not a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`;
  if (!LABEL_NAME.test(name)) return `has a name part "${name}" that is not 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  if (name.length > maxNameLength) return `has a name part longer than ${maxNameLength} characters`;
  return undefined;
}

function qualifiedName(what: string, maxNameLength = 63, why = ''): ValueParser<string> {
  return (raw) => {
    const problem = qualifiedNameProblem(raw, maxNameLength);
    if (problem !== undefined) return invalid(`${q(raw)} is not a valid ${what}: it ${problem}${why} (allowed: [prefix/]name, e.g. example.com/${what === 'label name' ? 'enabled' : 'reload'})`);
    return raw;
  };
}

const annotationName = qualifiedName('annotation name');

const fieldManager: ValueParser<string> = (raw) => {
  if (raw === '' || raw.length > 128 || /\p{C}/u.test(raw)) return invalid(`${q(raw)} is not a field manager name (allowed: 1 to 128 printable characters)`);
  return raw;
};

const listenAddress: ValueParser<string> = (raw) => {
  try {
    parseListenAddress(raw);
  } catch (err) {
    return invalid(`${q(raw)} ${err instanceof Error ? err.message : String(err)} (allowed: host:port or :port, e.g. :9090, 127.0.0.1:9090, [::1]:9090)`);
  }
  return raw;
};

/** One of `accepted`'s keys, in any letter case; `shown` is what the error message lists. */
function choice<T extends string>(what: string, accepted: Readonly<Record<string, T>>, shown: string): ValueParser<T> {
  return (raw) => accepted[raw.trim().toLowerCase()] ?? invalid(`${q(raw)} is not ${what} (allowed: ${shown})`);
}

const logFormat = choice<LogFormat>('a log format', { ...Object.fromEntries(LOG_FORMATS.map((f) => [f, f])), '': 'text' }, LOG_FORMATS.join(', '));
const logLevel = choice<LogLevel>(
  'a log level',
  { ...Object.fromEntries(LOG_LEVELS.map((l) => [l, l])), warning: 'warn', fatal: 'error', panic: 'error' },
  `${LOG_LEVELS.join(', ')}; Stakater's warning, fatal and panic also work`,
);

const configKinds = distinct(commaList(choice<ConfigKind>('a kind of resource', { configmaps: 'ConfigMap', secrets: 'Secret' }, 'configMaps, secrets')));

const resourcesToIgnore: ValueParser<ConfigKind[]> = (raw) => {
  const kinds = configKinds(raw);
  if (kinds.length > 1) return invalid('"configMaps,secrets" ignores both kinds, which leaves nothing to watch (allowed: configMaps or secrets, not both)');
  return kinds;
};

const workloadTypes = distinct(commaList(choice<WorkloadKind>(
  'a workload type',
  Object.fromEntries(WORKLOAD_KINDS.flatMap((k) => [[k.typeName, k.kind], [k.kind.toLowerCase(), k.kind]])),
  WORKLOAD_KINDS.map((k) => k.typeName).join(', '),
)));

const reloadStrategy = choice<ReloadStrategy>('a reload strategy', Object.fromEntries(RELOAD_STRATEGIES.map((r) => [r, r])), RELOAD_STRATEGIES.join(', '));

/** An http(s) URL; never quoted back in errors, as webhook URLs often hold a token. */
const httpUrl: ValueParser<string | undefined> = (raw) => {
  const s = raw.trim();
  if (s === '') return undefined;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return invalid('the value is not an absolute URL (allowed: http://host/path or https://host/path; not repeated here, as such URLs often hold a token)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return invalid(`the URL has scheme ${q(url.protocol)} (allowed: http, https)`);
  return s;
};

const alertSink = choice<Exclude<AlertSink, 'webhook'>>(
  'an alert sink',
  Object.fromEntries(ALERT_SINKS.map((k) => [k, k === 'webhook' ? 'raw' : k])),
  `${ALERT_SINKS.join(', ')} (webhook is raw)`,
);

/** Stakater's METRICS_COUNT_BY_NAMESPACE=enabled, and booleans. */
const enabledValue: ValueParser<boolean> = (raw) => {
  const s = raw.trim().toLowerCase();
  if (s === 'enabled' || s === 'true' || s === '1') return true;
  if (s === 'disabled' || s === 'false' || s === '0' || s === '') return false;
  return invalid(`${q(raw)} is not enabled or disabled (allowed: enabled, disabled, true, false)`);
};

const objectName: ValueParser<string> = (raw) => (DNS1123_SUBDOMAIN.test(raw) ? raw : invalid(`${q(raw)} is not a valid object name (lower-case letters, digits, '-' and '.', at most 253 characters)`));

// Label selectors -------------------------------------------------------------

class SelectorProblem extends Error {
  readonly term: string;
  constructor(term: string, reason: string) {
    super(reason);
    this.term = term;
  }
}

/** Splits at the commas outside parentheses. */
function selectorTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (depth < 0 || depth > 1) throw new SelectorProblem(selector, depth < 0 ? "it has a ')' without its '('" : 'it nests parentheses');
    if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new SelectorProblem(selector, "it has a '(' without its ')'");
  terms.push(selector.slice(start));
  return terms;
}

function checkKey(term: string, key: string): string {
  const problem = qualifiedNameProblem(key);
  if (problem !== undefined) throw new SelectorProblem(term, `its label key ${problem}`);
  return key;
}

function checkValue(term: string, value: string): string {
  if (value !== '' && !LABEL_NAME.test(value)) throw new SelectorProblem(term, `its value "${value}" is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`);
  return value;
}

/**
 * One requirement in Kubernetes' canonical spelling; Stakater's legacy `k:v`, `k:*` and `k=*` are translated.
 * Linear in the term: each pattern is anchored and its neighbouring repeats
 * take disjoint characters (a key never holds space, `=`, `!`, `<`, `>`,
 * `:` or parentheses), so a failed match gives each character back at most once.
 */
function normalizeRequirement(term: string): string {
  let m = /^!\s*([^\s=!<>:(),]+)$/.exec(term);
  if (m !== null) return `!${checkKey(term, m[1] ?? '')}`;
  m = /^([^\s=!<>:(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m !== null) {
    const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) throw new SelectorProblem(term, 'its set of values is empty');
    return `${checkKey(term, m[1] ?? '')} ${m[2] ?? ''} (${values.map((v) => checkValue(term, v)).join(',')})`;
  }
  m = /^([^\s=!<>:(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(term);
  if (m !== null) {
    const key = checkKey(term, m[1] ?? '');
    const op = m[2] === '!=' ? '!=' : '=';
    if (m[3] === '*' && op === '=') return key;
    return `${key}${op}${checkValue(term, m[3] ?? '')}`;
  }
  m = /^([^\s=!<>:(),]+)\s*([<>])\s*([^\s=!<>(),]+)$/.exec(term);
  if (m !== null) {
    if (!/^-?\d+$/.test(m[3] ?? '')) throw new SelectorProblem(term, `'${m[2] ?? ''}' needs a whole number`);
    return `${checkKey(term, m[1] ?? '')}${m[2] ?? ''}${m[3] ?? ''}`;
  }
  m = /^([^\s=!<>:(),]+):([^\s=!<>:(),]*)$/.exec(term);
  if (m !== null) {
    const key = checkKey(term, m[1] ?? '');
    return m[2] === '*' ? key : `${key}=${checkValue(term, m[2] ?? '')}`;
  }
  m = /^([^\s=!<>:(),]+)$/.exec(term);
  if (m !== null) return checkKey(term, m[1] ?? '');
  throw new SelectorProblem(term, 'it is not a label selector requirement');
}

/**
 * Checks and normalizes a label selector; the empty selector (or one of
 * only commas) is undefined: select everything.
 */
export function normalizeLabelSelector(selector: string): string | undefined {
  const requirements = selectorTerms(selector).map((t) => t.trim()).filter((t) => t !== '').map(normalizeRequirement);
  return requirements.length === 0 ? undefined : requirements.join(',');
}

/** A selector given as Stakater's list flags take it: its CSV items joined with commas again, so quotes around it go. */
const labelSelector: ValueParser<string | undefined> = (raw) => {
  try {
    return normalizeLabelSelector(csvItems(raw).join(','));
  } catch (err) {
    if (!(err instanceof SelectorProblem)) throw err;
    return invalid(`${q(err.term.trim())} is not a valid label selector: ${err.message} (allowed: ${SELECTOR_ALLOWED})`);
  }
};

const joinSelectors = (a: string | undefined, b: string | undefined): string | undefined => (a === undefined ? b : b === undefined ? a : `${a},${b}`);
const concat = <T>(a: T[], b: T[]): T[] => [...new Set([...a, ...b])];

const optionalText: ValueParser<string | undefined> = (s) => (s === '' ? undefined : s);

// ---------------------------------------------------------------------------
// The flags. This table is the single source: the parser, RUN_FLAGS,
// formatHelp() and the README check all read it.

const FLAGS = {
  stakaterDefaults: flag({
    flag: 'stakater-defaults', boolean: true, value: '', default: 'false', group: 'Stakater Reloader compatibility',
    description: "Use Stakater Reloader's defaults where ours differ: --log-format text (logfmt), --reload-strategy env-vars, and Argo Rollouts only with --is-Argo-Rollouts. "
      + 'A flag given explicitly still wins.',
  }, booleanValue),
  kubeconfig: optionalFlag({
    flag: 'kubeconfig', env: 'KUBECONFIG', value: 'path', group: 'Cluster access',
    description: 'Kubeconfig file to use. Without it or KUBECONFIG: ~/.kube/config, then the in-cluster service account.',
  }, optionalText),
  namespaces: flag({
    flag: 'namespaces', env: 'KUBERNETES_NAMESPACE', value: 'a,b', default: '', group: 'Scope',
    description: 'Namespaced mode: watch only these namespaces, each on its own, so Roles suffice (no ClusterRole). Empty: every namespace. '
      + "Without the flag, KUBERNETES_NAMESPACE (Stakater's single-namespace mode) is used.",
  }, namespaceList, concat),
  namespacesToIgnore: flag({
    flag: 'namespaces-to-ignore', value: 'a,b', default: '', group: 'Scope',
    description: 'Namespaces never watched or acted in. Cluster-wide mode only.',
  }, namespaceList, concat),
  namespaceSelector: optionalFlag({
    flag: 'namespace-selector', value: 'selector', group: 'Scope',
    description: `Act only in namespaces whose labels match (${SELECTOR_ALLOWED}; Stakater's k:v and k:* also work). `
      + 'Needs list and watch on namespaces, so cluster-wide mode only.',
  }, labelSelector, joinSelectors),
  resourceLabelSelector: optionalFlag({
    flag: 'resource-label-selector', value: 'selector', group: 'Scope',
    description: 'Watch only the ConfigMaps and Secrets whose labels match (same syntax); the API server filters them.',
  }, labelSelector, joinSelectors),
  resourcesToIgnore: flag({
    flag: 'resources-to-ignore', value: 'configMaps|secrets', default: '', group: 'Scope',
    description: 'Never watch or react to this kind (any letter case; not both).',
  }, resourcesToIgnore, (a, b) => [...new Set([...a, ...b])]),
  autoReloadAll: flag({
    flag: 'auto-reload-all', boolean: true, value: '', default: 'false', group: 'Scope',
    description: 'Follow every ConfigMap and Secret each workload references, without annotations; a workload annotated auto "false" still opts out.',
  }, booleanValue),
  debounce: flag({
    flag: 'debounce', value: 'duration', default: '2s', group: 'Rolling',
    description: 'Gather config changes that land within this window into one rollout. 0 turns it off; at most 1h.',
  }, duration(3_600_000, '1h')),
  dryRun: flag({
    flag: 'dry-run', boolean: true, value: '', default: 'false', group: 'Rolling',
    description: 'Decide and log what would roll, and record WouldReload Events, but change no workload.',
  }, booleanValue),
  fieldManager: flag({
    flag: 'field-manager', value: 'name', default: 'mini-reloader', group: 'Rolling',
    description: 'Server-side apply field manager of every write (1-128 characters); GitOps tools can be told to ignore its fields.',
  }, fieldManager),
  workers: flag({
    flag: 'workers', value: 'n', default: '4', group: 'Rolling',
    description: 'Workloads reconciled in parallel (1-64).',
  }, integer(1, 64)),
  maxRollsPerSecond: flag({
    flag: 'max-rolls-per-second', value: 'rate', default: '10', group: 'Rolling',
    description: 'Rollouts started per second at most (above 0), so a config shared by thousands of workloads does not restart them all at once.',
  }, positiveNumber),
  maxRollsBurst: flag({
    flag: 'max-rolls-burst', value: 'n', default: '50', group: 'Rolling',
    description: 'Rollouts that may start at once before --max-rolls-per-second applies (1 or more).',
  }, integer(1)),
  adoptionWritesPerSecond: flag({
    flag: 'adoption-writes-per-second', value: 'rate', default: '20', group: 'Rolling',
    description: 'Adoption writes (the record on a workload seen for the first time: at a first start, every workload followed) per second at most (above 0), with bursts of one second\'s worth. Rolls have their own limit.',
  }, positiveNumber),
  enabledLabel: flag({
    flag: 'enabled-label', value: 'label', default: 'mini-reloader.pelabs/enabled', group: 'Rolling',
    description: 'Label that opts a ConfigMap or Secret in (value "true"): the workloads that reference it roll when it changes.',
  }, qualifiedName('label name')),
  hashAnnotation: flag({
    flag: 'hash-annotation', value: 'annotation', default: 'mini-reloader.pelabs/config-hash', group: 'Rolling',
    description: 'Pod-template annotation that holds the hash of the config a workload sees; "<annotation>-baseline" on the workload marks adoption.',
  }, qualifiedName('annotation name', 54, ', and "-baseline" must still fit in 63')),
  reloadStrategy: flag({
    flag: 'reload-strategy', value: 'hash|env-vars|annotations', default: 'hash', stakaterDefault: 'env-vars', group: 'Rolling',
    description: 'How a roll changes the pod template. hash: one annotation with the hash of every config followed. env-vars: Stakater\'s STAKATER_<NAME>_<CONFIGMAP|SECRET> variable on the container that uses the config. '
      + 'annotations: Stakater\'s reloader.stakater.com/last-reloaded-from, written only when data changed. Switching rolls nothing by itself; the next roll swaps the marks.',
  }, reloadStrategy),
  reloadOnCreate: flag({
    flag: 'reload-on-create', boolean: true, stringSwitch: true, value: '', default: 'false', group: 'Rolling',
    description: 'Roll when a config a workload follows is created (it was referenced while absent). Off: its appearance is only recorded.',
  }, booleanValue),
  reloadOnDelete: flag({
    flag: 'reload-on-delete', boolean: true, stringSwitch: true, value: '', default: 'false', group: 'Rolling',
    description: 'Roll when a config a workload follows is deleted: hash changes the hash, env-vars removes the config\'s variable, annotations names the config with an empty hash. '
      + 'Never for a reference that is not optional (new pods could not start). Off: the deletion is only recorded.',
  }, booleanValue),
  syncAfterRestart: flag({
    flag: 'sync-after-restart', boolean: true, value: '', default: 'false', group: 'Rolling',
    description: 'Accepted for Stakater compatibility; it changes nothing. Every start compares each workload with its recorded config state, so changes made while the controller was down roll exactly once, and nothing else rolls.',
  }, booleanValue),
  ignoredWorkloadTypes: flag({
    flag: 'ignored-workload-types', value: 'jobs,cronjobs,…', default: '', group: 'Scope',
    description: `Workload types never watched or rolled (${WORKLOAD_KINDS.map((k) => k.typeName).join(', ')}); their RBAC rules can be dropped.`,
  }, workloadTypes, (a, b) => [...new Set([...a, ...b])]),
  argoRollouts: flag({
    flag: 'argo-rollouts', aliases: ['is-Argo-Rollouts'], boolean: true, stringSwitch: true, value: '', default: 'true', stakaterDefault: 'false', group: 'Scope',
    description: 'Follow Argo Rollouts (argoproj.io/v1alpha1) when the cluster serves them, also when their CRD is installed later. Same as leaving rollouts out of --ignored-workload-types.',
  }, booleanValue),
  startCronJobRuns: flag({
    flag: 'start-cronjob-runs', boolean: true, value: '', default: 'true', group: 'Rolling',
    description: 'When a CronJob rolls, also start a Job from its new template at once, as Stakater does. Never for a suspended CronJob, nor beside an active run under concurrencyPolicy Forbid.',
  }, booleanValue),
  webhookUrl: optionalFlag({
    flag: 'webhook-url', value: 'url', group: 'Rolling',
    description: 'Instead of rolling, POST a JSON description of each roll (workload, the configs that changed, all configs it follows, the new hash) to this URL. A failed POST is retried with backoff.',
  }, httpUrl),
  enableHa: flag({
    flag: 'enable-ha', boolean: true, value: '', default: 'false', group: 'High availability',
    description: 'Leader election with a coordination.k8s.io/v1 Lease: only the leader writes; the other replicas keep their caches synced and take over within the lease duration. Needs POD_NAME and POD_NAMESPACE.',
  }, booleanValue),
  leaderElectionId: flag({
    flag: 'leader-election-id', value: 'name', default: 'mini-reloader', group: 'High availability',
    description: 'Name of the Lease.',
  }, objectName),
  leaderElectionNamespace: optionalFlag({
    flag: 'leader-election-namespace', value: 'namespace', group: 'High availability',
    description: 'Namespace of the Lease. Default: POD_NAMESPACE.',
  }, namespaceName),
  leaderElectionLeaseDuration: flag({
    flag: 'leader-election-lease-duration', value: 'duration', default: '15s', group: 'High availability',
    description: 'How long a Lease that is not renewed keeps others from taking over.',
  }, duration(3_600_000, '1h')),
  leaderElectionRenewDeadline: flag({
    flag: 'leader-election-renew-deadline', value: 'duration', default: '10s', group: 'High availability',
    description: 'A leader that cannot renew within this stops writing at once, and /live fails so it restarts. Below the lease duration.',
  }, duration(3_600_000, '1h')),
  leaderElectionRetryPeriod: flag({
    flag: 'leader-election-retry-period', value: 'duration', default: '2s', group: 'High availability',
    description: 'How often to try to take or renew the Lease. Below the renew deadline.',
  }, duration(3_600_000, '1h')),
  podName: optionalFlag({
    flag: 'pod-name', env: 'POD_NAME', value: 'name', group: 'High availability',
    description: 'This replica\'s identity in the Lease; set from the downward API.',
  }, optionalText),
  podNamespace: optionalFlag({
    flag: 'pod-namespace', env: 'POD_NAMESPACE', value: 'namespace', group: 'High availability',
    description: 'The namespace the controller runs in; set from the downward API.',
  }, namespaceName),
  alertOnReload: flag({
    flag: 'alert-on-reload', env: 'ALERT_ON_RELOAD', boolean: true, value: '', default: 'false', group: 'Alerts',
    description: 'After each roll, send a message naming the workload, its kind, its namespace and the configs that changed. Sent in the background: a slow or failing receiver never delays a roll; a failed send is logged and counted in mini_reloader_alerts_total{result}.',
  }, booleanValue),
  alertSink: flag({
    flag: 'alert-sink', env: 'ALERT_SINK', value: 'slack|teams|gchat|raw', default: 'raw', group: 'Alerts',
    description: 'The receiver\'s format: slack (attachment), teams and gchat ({"text"}), raw (the text as text/plain; Stakater\'s "webhook" means the same).',
  }, alertSink),
  alertWebhookUrl: optionalFlag({
    flag: 'alert-webhook-url', env: 'ALERT_WEBHOOK_URL', value: 'url', group: 'Alerts',
    description: 'Where alerts are POSTed; needed with --alert-on-reload. Keep it in a Secret: chat webhook URLs are credentials.',
  }, httpUrl),
  alertAdditionalInfo: optionalFlag({
    flag: 'alert-additional-info', env: 'ALERT_ADDITIONAL_INFO', value: 'text', group: 'Alerts',
    description: 'Put in front of every alert, e.g. the cluster\'s name.',
  }, optionalText),
  alertProxy: optionalFlag({
    flag: 'alert-proxy', env: 'ALERT_WEBHOOK_PROXY', value: 'url', group: 'Alerts',
    description: 'HTTP proxy for the alert receiver only (Stakater\'s ALERT_WEBHOOK_PROXY).',
  }, httpUrl),
  alertStructured: flag({
    flag: 'alert-structured', env: 'ALERT_STRUCTURED', boolean: true, value: '', default: 'false', group: 'Alerts',
    description: 'Raw sink only (Stakater v2\'s flag): POST a JSON object instead of text: event "reload", workloadKind, workloadName, workloadNamespace, '
      + 'resourceKind, resourceName, resourceNamespace (the first config that changed), timestamp (RFC 3339), additional (when set), and resources (every config that changed).',
  }, booleanValue),
  metricsCountByNamespace: flag({
    flag: 'metrics-count-by-namespace', env: 'METRICS_COUNT_BY_NAMESPACE', value: 'enabled|disabled', default: 'disabled', group: 'Observability',
    description: 'Also count rolls per namespace in reloader_reload_executed_total_by_namespace{success,namespace} (Stakater\'s opt-in).',
  }, enabledValue),
  metricsAddress: flag({
    flag: 'metrics-address', aliases: ['metrics-addr'], value: 'host:port', default: ':9090', group: 'Observability',
    description: 'Serves /metrics, /healthz, /live and /readyz; :9090 listens on every interface. Stakater v2 spells it --metrics-addr, also accepted.',
  }, listenAddress),
  logFormat: flag({
    flag: 'log-format', value: 'json|text', default: 'json', stakaterDefault: 'text', group: 'Observability',
    description: 'json: one JSON object per line. text: logfmt, like Stakater\'s default; an empty value also means text, as in Stakater. '
      + 'Another value is logged as ignored and the default applies, as in Stakater.',
  }, logFormat),
  logLevel: flag({
    flag: 'log-level', value: 'level', default: 'info', group: 'Observability',
    description: 'trace, debug, info, warn or error (Stakater\'s warning, fatal and panic also work). debug says why each workload was not rolled. '
      + 'Another value is logged as ignored and the default applies, as in Stakater.',
  }, logLevel),
  enablePprof: flag({
    flag: 'enable-pprof', boolean: true, value: '', default: 'false', group: 'Observability',
    description: 'Serve a V8 heap snapshot (/debug/pprof/heap) and a CPU profile (/debug/pprof/profile?seconds=N, 1 to 300, default 30) on --pprof-addr, '
      + 'in formats Chrome DevTools opens; one at a time. A heap snapshot holds whatever is in memory, Secret values in flight included: never expose the port.',
  }, booleanValue),
  pprofAddr: flag({
    flag: 'pprof-addr', value: 'host:port', default: ':6060', group: 'Observability',
    description: 'Where --enable-pprof serves; 127.0.0.1:6060 keeps it to kubectl port-forward.',
  }, listenAddress),
  ...annotationFlags(),
} as const;

type AnnotationFlags = { readonly [K in AnnotationKey as `${K}Annotation`]: FlagDef<string> };

/** One flag per entry of the annotation table, keyed `<key>Annotation`, in table order. */
function annotationFlags(): AnnotationFlags {
  const defs = mapAnnotations((_, a) => flag({ flag: a.flag, value: 'annotation', default: a.default, group: 'Annotation names (Stakater Reloader compatible)', description: a.description }, annotationName));
  // Object.fromEntries types its keys as string; these are exactly the table's keys with the suffix.
  return Object.fromEntries(Object.entries(defs).map(([key, def]) => [`${key}Annotation`, def])) as AnnotationFlags;
}

type FlagKey = keyof typeof FLAGS;
type FlagValues = { [K in FlagKey]: (typeof FLAGS)[K] extends FlagDef<infer T> ? T : never };

const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[];

/** Every flag of `mini-reloader run`, in help order, with its environment variable, default and description. */
export const RUN_FLAGS: readonly FlagSpec[] = Object.freeze(FLAG_KEYS.map((k) => FLAGS[k].spec));

/** Every environment variable the options read, with the flag it stands in for. */
export const RUN_ENV_VARS: readonly { readonly env: string; readonly flag: string }[] = Object.freeze(
  RUN_FLAGS.flatMap((f) => (f.env === undefined ? [] : [Object.freeze({ env: f.env, flag: f.flag })])),
);

/** Stakater Reloader flags that mini-reloader does not take, and what to do instead. */
const STAKATER_ONLY: Readonly<Record<string, string>> = {
  'leader-election-release-on-cancel': 'mini-reloader always releases its Lease when it stops; drop the flag',
  'watch-namespace': 'use --namespaces',
  'health-addr': 'the probes are served on --metrics-address',
};
const STAKATER_UNSUPPORTED = new Set([
  'enable-csi-integration', 'secretproviderclass-auto-annotation', 'secretproviderclass-annotation', 'secretproviderclass-exclude-annotation',
]);

/** Flags whose bad value Stakater logs and runs on with its default: so do we. */
const WARN_ON_INVALID: ReadonlySet<FlagKey> = new Set(['logFormat', 'logLevel']);

const BY_NAME: ReadonlyMap<string, FlagKey> = new Map(FLAG_KEYS.flatMap((k) => [FLAGS[k].spec.flag, ...FLAGS[k].spec.aliases].map((n): [string, FlagKey] => [n, k])));

interface Given {
  /** The spelling used, e.g. `--metrics-addr`. */
  readonly source: string;
  readonly raws: string[];
}

/**
 * Parses the arguments after `mini-reloader run`, falling back to `env` for
 * flags that have an environment variable (an empty variable counts as
 * unset), then to the defaults (Stakater's under --stakater-defaults).
 * Throws OptionsError on the first problem, except where Stakater Reloader
 * warns and carries on: those settings are ignored and named in `warnings`.
 */
export function parseRunOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RunOptions {
  const given = scanArgv(argv);
  const values: Partial<Record<FlagKey, unknown>> = {};
  const sources: Partial<Record<FlagKey, string>> = {};
  const warnings: string[] = [];
  const stakaterDefaults = given.get('stakaterDefaults')?.raws.map((raw) => parseValue(FLAGS.stakaterDefaults, raw, '--stakater-defaults')).at(-1) ?? false;
  for (const key of FLAG_KEYS) {
    // Each def only ever combines values its own parser produced, so erasing T here is sound.
    const def = FLAGS[key] as FlagDef<unknown>;
    const fallback = stakaterDefaults ? def.stakaterFallback : def.fallback;
    const fromArgv = given.get(key);
    const envName = def.spec.env;
    const envValue = envName === undefined ? undefined : env[envName];
    try {
      if (fromArgv !== undefined) {
        const parsed = fromArgv.raws.map((raw) => parseValue(def, raw, fromArgv.source));
        values[key] = parsed.reduce((a, b) => (def.combine === undefined ? b : def.combine(a, b)));
        sources[key] = fromArgv.source;
      } else if (envName !== undefined && envValue !== undefined && envValue !== '') {
        values[key] = parseValue(def, envValue, envName);
        sources[key] = envName;
      } else {
        values[key] = fallback;
      }
    } catch (err) {
      if (!(err instanceof OptionsError) || !WARN_ON_INVALID.has(key)) throw err;
      warnings.push(`${err.message}; ignored, using the default ${q(stakaterDefaults ? def.spec.stakaterDefault ?? def.spec.default : def.spec.default)}, as Stakater Reloader does`);
      values[key] = fallback;
    }
  }
  const v = values as FlagValues;

  let namespacesToIgnore = v.namespacesToIgnore;
  let namespaceSelector = v.namespaceSelector;
  if (v.namespaces.length > 0) {
    // Stakater logs these and runs on in the namespaces it was given.
    const mode = sources.namespaces === 'KUBERNETES_NAMESPACE' ? 'KUBERNETES_NAMESPACE (single-namespace mode)' : `${sources.namespaces ?? '--namespaces'} (namespaced mode)`;
    if (namespaceSelector !== undefined) {
      warnings.push(`${sources.namespaceSelector ?? '--namespace-selector'} ${q(namespaceSelector)} is ignored: it is for cluster-wide mode, and ${mode} watches only `
        + `${v.namespaces.join(', ')}, with no permission to read Namespace objects, which the selector needs`);
      namespaceSelector = undefined;
    }
    if (namespacesToIgnore.length > 0) {
      warnings.push(`${sources.namespacesToIgnore ?? '--namespaces-to-ignore'} ${q(namespacesToIgnore.join(','))} is ignored: it is for cluster-wide mode, and ${mode} `
        + `watches only ${v.namespaces.join(', ')}`);
      namespacesToIgnore = [];
    }
  }

  let ha: HaOptions | undefined;
  if (v.enableHa) {
    const leaseNamespace = v.leaderElectionNamespace ?? v.podNamespace;
    if (v.podName === undefined) throw new OptionsError(`${sources.enableHa ?? '--enable-ha'} needs POD_NAME (or --pod-name): each replica's identity in the Lease; set it from the downward API (fieldRef metadata.name)`);
    if (leaseNamespace === undefined) throw new OptionsError(`${sources.enableHa ?? '--enable-ha'} needs POD_NAMESPACE (or --leader-election-namespace): where the Lease lives; set it from the downward API (fieldRef metadata.namespace)`);
    if (v.leaderElectionRenewDeadline >= v.leaderElectionLeaseDuration) throw new OptionsError(`--leader-election-renew-deadline (${v.leaderElectionRenewDeadline} ms) must be below --leader-election-lease-duration (${v.leaderElectionLeaseDuration} ms)`);
    if (v.leaderElectionRetryPeriod >= v.leaderElectionRenewDeadline || v.leaderElectionRetryPeriod <= 0) throw new OptionsError(`--leader-election-retry-period (${v.leaderElectionRetryPeriod} ms) must be above 0 and below --leader-election-renew-deadline (${v.leaderElectionRenewDeadline} ms)`);
    ha = {
      leaseName: v.leaderElectionId,
      leaseNamespace,
      identity: v.podName,
      leaseDurationMs: v.leaderElectionLeaseDuration,
      renewDeadlineMs: v.leaderElectionRenewDeadline,
      retryPeriodMs: v.leaderElectionRetryPeriod,
    };
  }
  let alerts: AlertOptions | undefined;
  if (v.alertOnReload) {
    if (v.alertWebhookUrl === undefined) throw new OptionsError(`${sources.alertOnReload ?? '--alert-on-reload'} needs ALERT_WEBHOOK_URL (or --alert-webhook-url): where to send the alerts`);
    if (v.alertStructured && v.alertSink !== 'raw') {
      warnings.push(`${sources.alertStructured ?? '--alert-structured'} is ignored: it is for the raw sink, and ${sources.alertSink ?? '--alert-sink'} is ${q(v.alertSink)}`);
    }
    alerts = { sink: v.alertSink, url: v.alertWebhookUrl, additionalInfo: v.alertAdditionalInfo?.trim(), proxy: v.alertProxy, structured: v.alertStructured && v.alertSink === 'raw' };
  }
  const ignoredWorkloadTypes: WorkloadKind[] = [...v.ignoredWorkloadTypes];
  if (!v.argoRollouts && !ignoredWorkloadTypes.includes('Rollout')) ignoredWorkloadTypes.push('Rollout');
  if (ignoredWorkloadTypes.length === WORKLOAD_KINDS.length) {
    throw new OptionsError(`${sources.ignoredWorkloadTypes ?? '--ignored-workload-types'}: every workload type is ignored, which leaves nothing to roll`);
  }

  return Object.freeze({
    kubeconfig: v.kubeconfig,
    namespaces: Object.freeze(v.namespaces),
    namespacesToIgnore: Object.freeze(namespacesToIgnore),
    namespaceSelector,
    resourceLabelSelector: v.resourceLabelSelector,
    debounceMs: v.debounce,
    dryRun: v.dryRun,
    fieldManager: v.fieldManager,
    workers: v.workers,
    maxRollsPerSecond: v.maxRollsPerSecond,
    maxRollsBurst: v.maxRollsBurst,
    adoptionWritesPerSecond: v.adoptionWritesPerSecond,
    metricsAddress: v.metricsAddress,
    logFormat: v.logFormat,
    logLevel: v.logLevel,
    enabledLabel: v.enabledLabel,
    hashAnnotation: v.hashAnnotation,
    autoReloadAll: v.autoReloadAll,
    resourcesToIgnore: Object.freeze(v.resourcesToIgnore),
    ignoredWorkloadTypes: Object.freeze(ignoredWorkloadTypes),
    reloadStrategy: v.reloadStrategy,
    reloadOnCreate: v.reloadOnCreate,
    reloadOnDelete: v.reloadOnDelete,
    startCronJobRuns: v.startCronJobRuns,
    webhookUrl: v.webhookUrl,
    ha,
    metricsByNamespace: v.metricsCountByNamespace,
    alerts,
    annotations: Object.freeze(mapAnnotations((key) => v[`${key}Annotation`])),
    profilingAddress: v.enablePprof ? v.pprofAddr : undefined,
    warnings: Object.freeze(warnings),
  });
}

function parseValue<T>(def: FlagDef<T>, raw: string, source: string): T {
  try {
    return def.parse(raw);
  } catch (err) {
    if (err instanceof InvalidValue) throw new OptionsError(`${source}: ${err.message}`);
    throw err;
  }
}

/** Sorts argv into raw values per flag; flags given more than once keep every value, in order. */
function scanArgv(argv: readonly string[]): Map<FlagKey, Given> {
  const given = new Map<FlagKey, Given>();
  let previousBoolean: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (match === null) {
      if (arg.startsWith('-') && arg.length > 1 && arg !== '--') throw new OptionsError(unknownFlag(arg));
      const hint = previousBoolean === undefined || !/^(true|false)$/i.test(arg) ? '' : ` (a boolean flag takes its value after "=": ${previousBoolean}=${arg.toLowerCase()})`;
      throw new OptionsError(`unexpected argument ${q(arg)}: mini-reloader run takes only flags${hint}`);
    }
    const name = match[1] ?? '';
    const key = BY_NAME.get(name);
    if (key === undefined) throw new OptionsError(unknownFlag(`--${name}`));
    const spec = FLAGS[key].spec;
    const source = `--${name}`;
    let raw = match[2];
    previousBoolean = undefined;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec.stringSwitch && next !== undefined && !next.startsWith('-')) {
        raw = next;
        i++;
      } else if (spec.boolean) {
        raw = 'true';
        previousBoolean = source;
      } else {
        if (next === undefined || next.startsWith('--')) {
          throw new OptionsError(`${source} needs a value (${source}=<${spec.value}> or ${source} <${spec.value}>${spec.default === undefined || spec.default === '' ? '' : `; default ${spec.default}`})`);
        }
        raw = next;
        i++;
      }
    }
    const entry = given.get(key);
    if (entry === undefined) given.set(key, { source, raws: [raw] });
    else entry.raws.push(raw);
  }
  return given;
}

function unknownFlag(arg: string): string {
  const name = arg.replace(/^-+/, '').split('=')[0] ?? '';
  const stakater = STAKATER_ONLY[name];
  if (stakater !== undefined) return `--${name} is a Stakater Reloader flag that mini-reloader does not take: ${stakater}`;
  if (STAKATER_UNSUPPORTED.has(name)) return `--${name} is a Stakater Reloader flag that mini-reloader does not support; drop it`;
  const close = [...BY_NAME.keys()].filter((n) => editDistance(n, name.toLowerCase()) <= 2 || (name.length >= 4 && n.startsWith(name)));
  const suggestion = close.length === 0 ? '' : `; did you mean ${close.map((n) => `--${n}`).join(' or ')}?`;
  return `unknown flag ${arg.split('=')[0] ?? arg}${suggestion} (mini-reloader run --help lists the flags)`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** `mini-reloader run --help`: every flag in RUN_FLAGS, by group, with its default and environment variable. */
export function formatHelp(): string {
  const lines = [
    'Usage: mini-reloader run [flags]',
    '',
    'Flags take --name=value or --name value; switches take --name or --name=true|false,',
    'and those Stakater declares as strings also --name true|false.',
    'Lists are comma-separated; an item in double quotes may hold commas; a repeated list flag adds up.',
    'Durations are Go-style: 500ms, 2s, 1m30s, 0.',
  ];
  let group: FlagGroup | undefined;
  for (const f of RUN_FLAGS) {
    if (f.group !== group) {
      group = f.group;
      lines.push('', `${group}:`);
    }
    const names = [f.flag, ...f.aliases].map((n) => `--${n}${f.stringSwitch ? ' [true|false]' : f.boolean ? '' : ` <${f.value}>`}`).join(', ');
    lines.push(`  ${names}`);
    const notes = [
      ...(f.default === undefined || f.default === '' ? [] : [`default ${f.default}`]),
      ...(f.stakaterDefault === undefined ? [] : [`--stakater-defaults: ${f.stakaterDefault}`]),
      ...(f.env === undefined ? [] : [`env ${f.env}`]),
    ];
    for (const line of wrap(f.description, 76)) lines.push(`      ${line}`);
    if (notes.length > 0) lines.push(`      (${notes.join('; ')})`);
  }
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}
