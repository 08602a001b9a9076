import { z } from 'zod';
import type { LogFormat, LogLevel } from './logger.ts';
import type { ConfigKind } from './workload/config-reference.ts';

/** A bad flag or environment variable; the message names it, the value and what is allowed. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

export interface RunOptions {
  readonly kubeconfig: string | undefined;
  readonly namespaces: readonly string[];
  readonly namespacesToIgnore: readonly string[];
  readonly namespaceSelector: string | undefined;
  readonly resourceLabelSelector: string | undefined;
  readonly debounceMs: number;
  readonly dryRun: boolean;
  readonly fieldManager: string;
  readonly workers: number;
  readonly maxRollsPerSecond: number;
  readonly maxRollsBurst: number;
  readonly metricsAddress: string;
  readonly logFormat: LogFormat;
  readonly logLevel: LogLevel;
  readonly enabledLabel: string;
  readonly hashAnnotation: string;
  readonly autoReloadAll: boolean;
  readonly resourcesToIgnore: readonly ConfigKind[];
  readonly annotations: {
    readonly auto: string;
    readonly configMapAuto: string;
    readonly secretAuto: string;
    readonly search: string;
    readonly match: string;
    readonly configMapExclude: string;
    readonly secretExclude: string;
    readonly ignore: string;
  };
}

/** One flag: its name, the environment variable that stands in for it, its default and help text. */
export interface FlagSpec {
  readonly flag: string;
  readonly env?: string;
  readonly boolean?: boolean;
  readonly default: string | undefined;
  readonly description: string;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const qualifiedName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const selectorTerm = /^\s*(!?[A-Za-z0-9][-A-Za-z0-9_./]*|[A-Za-z0-9][-A-Za-z0-9_./]*\s*(=|==|!=)\s*[A-Za-z0-9]?[-A-Za-z0-9_.]*|[A-Za-z0-9][-A-Za-z0-9_./]*\s+(in|notin)\s+\([^()]*\))\s*$/;

/** Every flag, in help order. The parser, `--help` and the README check all read this table. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  { flag: 'kubeconfig', env: 'KUBECONFIG', default: undefined, description: 'Path to a kubeconfig. Else ~/.kube/config, else the in-cluster service account.' },
  { flag: 'namespaces', env: 'KUBERNETES_NAMESPACE', default: '', description: 'Comma list: watch only these namespaces, each on its own, so Roles suffice (no ClusterRole). Empty: all namespaces.' },
  { flag: 'namespaces-to-ignore', default: '', description: 'Comma list of namespaces never acted in.' },
  { flag: 'namespace-selector', default: undefined, description: 'Label selector: act only in namespaces whose labels match (needs list/watch on namespaces).' },
  { flag: 'resource-label-selector', default: undefined, description: 'Label selector applied server-side to the ConfigMaps and Secrets watched.' },
  { flag: 'debounce', default: '2s', description: 'Trailing window that gathers config changes into one rollout (Go-style duration; 0 turns it off).' },
  { flag: 'dry-run', boolean: true, default: 'false', description: 'Decide, log and record "would roll" Events, but write nothing to workloads.' },
  { flag: 'field-manager', default: 'mini-reloader', description: 'Server-side apply field manager for every write; GitOps tools can ignore its fields.' },
  { flag: 'workers', default: '4', description: 'Workloads reconciled in parallel (1-64).' },
  { flag: 'max-rolls-per-second', default: '10', description: 'Rollouts started per second at most, when many workloads share one config.' },
  { flag: 'max-rolls-burst', default: '50', description: 'Rollouts that may start at once before --max-rolls-per-second applies.' },
  { flag: 'metrics-address', default: ':9090', description: 'host:port serving /metrics, /healthz, /live and /readyz.' },
  { flag: 'log-format', default: 'json', description: 'json or text.' },
  { flag: 'log-level', default: 'info', description: 'trace, debug, info, warn or error. debug says why each workload was not rolled.' },
  { flag: 'enabled-label', default: 'mini-reloader.pelabs/enabled', description: 'Label that opts a ConfigMap or Secret in (value "true").' },
  { flag: 'hash-annotation', default: 'mini-reloader.pelabs/config-hash', description: 'Pod-template annotation holding the config hash; "<name>-baseline" marks adopted workloads.' },
  { flag: 'auto-reload-all', boolean: true, default: 'false', description: 'Follow every referenced config of every workload, unless it says auto: "false".' },
  { flag: 'resources-to-ignore', default: '', description: 'configMaps or secrets: never react to that kind.' },
  { flag: 'auto-annotation', default: 'reloader.stakater.com/auto', description: 'Workload annotation: "true" follows every referenced config, "false" opts out.' },
  { flag: 'configmap-auto-annotation', default: 'configmap.reloader.stakater.com/auto', description: 'Workload annotation: follow every referenced ConfigMap.' },
  { flag: 'secret-auto-annotation', default: 'secret.reloader.stakater.com/auto', description: 'Workload annotation: follow every referenced Secret.' },
  { flag: 'auto-search-annotation', default: 'reloader.stakater.com/search', description: 'Workload annotation: follow only referenced configs that carry the match annotation.' },
  { flag: 'search-match-annotation', default: 'reloader.stakater.com/match', description: 'Config annotation matched by search mode.' },
  { flag: 'configmap-exclude-annotation', default: 'configmaps.exclude.reloader.stakater.com/reload', description: 'Workload annotation: comma list of ConfigMaps that never trigger it.' },
  { flag: 'secret-exclude-annotation', default: 'secrets.exclude.reloader.stakater.com/reload', description: 'Workload annotation: comma list of Secrets that never trigger it.' },
  { flag: 'ignore-annotation', default: 'reloader.stakater.com/ignore', description: 'Config annotation: "true" means it never triggers anything.' },
];

/** Parses the arguments after `mini-reloader run`, with environment fallbacks. Throws OptionsError. */
export function parseRunOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RunOptions {
  const raw = new Map<string, { value: string; source: string }>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (match === null) throw new OptionsError(`unexpected argument "${arg}" (flags look like --name=value; see --help)`);
    const name = match[1] ?? '';
    const spec = RUN_FLAGS.find((f) => f.flag === name);
    if (spec === undefined) throw new OptionsError(`unknown flag --${name} (see --help)`);
    let value = match[2];
    if (value === undefined) {
      if (spec.boolean === true) value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new OptionsError(`--${name} needs a value`);
        value = next;
        i++;
      }
    }
    raw.set(name, { value, source: `--${name}` });
  }
  const get = (flag: string): { value: string | undefined; source: string } => {
    const given = raw.get(flag);
    if (given !== undefined) return given;
    const spec = RUN_FLAGS.find((f) => f.flag === flag);
    if (spec?.env !== undefined && env[spec.env] !== undefined && env[spec.env] !== '') return { value: env[spec.env], source: spec.env };
    return { value: spec?.default, source: `--${flag}` };
  };
  const read = <T>(flag: string, schema: z.ZodType<T>, allowed: string): T => {
    const { value, source } = get(flag);
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new OptionsError(`${source}: ${JSON.stringify(value)} is not valid (${allowed})`);
    return parsed.data;
  };
  const optionalString = (flag: string): string | undefined => {
    const value = get(flag).value;
    return value === undefined || value === '' ? undefined : value;
  };
  const list = z.string().transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p !== ''));
  const namespaceList = list.pipe(z.array(z.string().regex(dns1123Label)));
  const selector = z.string().refine((s) => splitSelector(s).every((term) => selectorTerm.test(term)));
  const annotation = z.string().regex(qualifiedName);
  const bool = z.enum(['true', 'false']).transform((s) => s === 'true');
  const annotationName = (flag: string): string => read(flag, annotation, 'an annotation name such as example.com/name');

  const namespaceSelector = optionalString('namespace-selector');
  const resourceLabelSelector = optionalString('resource-label-selector');
  const options: RunOptions = {
    kubeconfig: optionalString('kubeconfig'),
    namespaces: read('namespaces', namespaceList, 'comma-separated namespace names'),
    namespacesToIgnore: read('namespaces-to-ignore', namespaceList, 'comma-separated namespace names'),
    namespaceSelector: namespaceSelector === undefined ? undefined : read('namespace-selector', selector, 'a label selector, e.g. team=a,env!=dev'),
    resourceLabelSelector: resourceLabelSelector === undefined ? undefined : read('resource-label-selector', selector, 'a label selector, e.g. team=a,env!=dev'),
    debounceMs: read('debounce', z.string().transform(parseDuration).pipe(z.number().min(0).max(3_600_000)), 'a duration such as 2s, 500ms or 0, at most 1h'),
    dryRun: read('dry-run', bool, 'true or false'),
    fieldManager: read('field-manager', z.string().min(1).max(128), '1 to 128 characters'),
    workers: read('workers', z.coerce.number().int().min(1).max(64), 'a whole number from 1 to 64'),
    maxRollsPerSecond: read('max-rolls-per-second', z.coerce.number().positive(), 'a number above 0'),
    maxRollsBurst: read('max-rolls-burst', z.coerce.number().int().min(1), 'a whole number of at least 1'),
    metricsAddress: read('metrics-address', z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/).refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535), 'host:port or :port'),
    logFormat: read('log-format', z.enum(['json', 'text']), 'json or text'),
    logLevel: read('log-level', z.enum(['trace', 'debug', 'info', 'warn', 'error']), 'trace, debug, info, warn or error'),
    enabledLabel: read('enabled-label', annotation, 'a label name such as example.com/name'),
    hashAnnotation: read('hash-annotation', annotation.refine((s) => (s.split('/').pop() ?? '').length <= 54), 'an annotation name whose name part leaves room for "-baseline" (54 characters at most)'),
    autoReloadAll: read('auto-reload-all', bool, 'true or false'),
    resourcesToIgnore: read('resources-to-ignore', list.pipe(z.array(z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['configmaps', 'secrets'])))).transform((kinds) => [...new Set(kinds)].map((k): ConfigKind => (k === 'configmaps' ? 'ConfigMap' : 'Secret'))), 'configMaps or secrets'),
    annotations: {
      auto: annotationName('auto-annotation'),
      configMapAuto: annotationName('configmap-auto-annotation'),
      secretAuto: annotationName('secret-auto-annotation'),
      search: annotationName('auto-search-annotation'),
      match: annotationName('search-match-annotation'),
      configMapExclude: annotationName('configmap-exclude-annotation'),
      secretExclude: annotationName('secret-exclude-annotation'),
      ignore: annotationName('ignore-annotation'),
    },
  };
  if (options.namespaces.length > 0 && (options.namespaceSelector !== undefined || options.namespacesToIgnore.length > 0)) {
    throw new OptionsError('--namespaces cannot be combined with --namespace-selector or --namespaces-to-ignore: namespaced mode watches only the listed namespaces and has no permission to read namespaces');
  }
  if (options.resourcesToIgnore.length === 2) throw new OptionsError('--resources-to-ignore: ignoring both configMaps and secrets leaves nothing to do');
  return options;
}

/** Go-style durations: 500ms, 2s, 1m30s, 1h; a bare 0. NaN when malformed. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return Number.NaN;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, amount, , u] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * (unit[u ?? ''] ?? Number.NaN);
  return total;
}

/** Splits a selector on the commas that are not inside an `in (...)` set. */
function splitSelector(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

export function formatHelp(): string {
  const lines = ['Flags of mini-reloader run:', ''];
  for (const f of RUN_FLAGS) {
    const env = f.env === undefined ? '' : ` (env ${f.env})`;
    const def = f.default === undefined || f.default === '' ? '' : ` [default: ${f.default}]`;
    lines.push(`  --${f.flag}${f.boolean === true ? '' : '=VALUE'}${env}${def}`, `      ${f.description}`);
  }
  return lines.join('\n');
}
