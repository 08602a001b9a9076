import { FLAG_KEYS, FLAGS } from '../options/flags.ts';
import { OptionsError } from '../options/options-error.ts';
import { q } from '../options/value-parser.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { WORKLOAD_KINDS, type WorkloadKind } from '../model/workload-kind.ts';

/**
 * What `explain` is asked about: a config, or a workload of a kind the
 * controller rolls. A type that is neither a config nor a built-in kind
 * has no `kind` yet: it may name a kind declared with --workload-kind,
 * which is known once the flags are (`declaredTarget`).
 */
export type ExplainTarget =
  | { readonly kind: ExplainedConfigKind; readonly name: string; readonly config: true }
  | { readonly kind: WorkloadKind; readonly name: string; readonly config: false }
  | { readonly kind: undefined; readonly type: string; readonly name: string; readonly config: false };

export interface ExplainRequest {
  readonly target: ExplainTarget;
  /** -n; undefined: the kubeconfig context's namespace, else `default`, as kubectl. */
  readonly namespace: string | undefined;
  readonly output: 'table' | 'json';
  /** --key: also answer whether a change to this key would roll each workload. */
  readonly key: string | undefined;
  /** --from-deployment: read the decision flags from the controller's own Deployment. */
  readonly fromDeployment: { readonly namespace: string; readonly name: string } | undefined;
  readonly context: string | undefined;
  readonly kubeconfig: string | undefined;
  /** Everything else: flags of `mini-reloader run`, taken as it takes them. */
  readonly runFlags: readonly string[];
}

export const EXPLAIN_USAGE = `usage: mini-reloader explain TYPE/NAME [-n NAMESPACE] [-o table|json] [--key KEY]
                             [--from-deployment NAMESPACE/NAME] [--context NAME] [--kubeconfig PATH] [run flags]
  TYPE: configmap, secret, ${WORKLOAD_KINDS.map((k) => k.kind.toLowerCase()).join(', ')} (plurals and kubectl's short names work),
        or a kind declared with --workload-kind (its kind or plural, also with its group: cloneset.apps.kruise.io)
  Run flags that change decisions (--auto-reload-all, --namespace-selector, the annotation names, ...)
  are taken as \`mini-reloader run\` takes them; the others are accepted and change nothing.`;

/** The config kinds explain reads by name; a SecretProviderClass's state lives in pod statuses, not in one object. */
export type ExplainedConfigKind = Exclude<ConfigKind, 'SecretProviderClass'>;

const CONFIG_TYPES: Readonly<Record<string, ExplainedConfigKind>> = {
  configmap: 'ConfigMap',
  configmaps: 'ConfigMap',
  cm: 'ConfigMap',
  secret: 'Secret',
  secrets: 'Secret',
};
const SHORT_NAMES: Readonly<Record<string, WorkloadKind>> = {
  deploy: 'Deployment',
  sts: 'StatefulSet',
  ds: 'DaemonSet',
  cj: 'CronJob',
  ro: 'Rollout',
};

/** Options of explain's own, each with whether it takes a value; short ones as kubectl spells them. */
const OWN: Readonly<Record<string, keyof Omit<ExplainRequest, 'target' | 'runFlags'> | 'help'>> = {
  '-n': 'namespace',
  '--namespace': 'namespace',
  '-o': 'output',
  '--output': 'output',
  '--key': 'key',
  '--from-deployment': 'fromDeployment',
  '--context': 'context',
  '--kubeconfig': 'kubeconfig',
  '-h': 'help',
  '--help': 'help',
};

/** `null`: --help was asked for. Throws OptionsError naming the argument at fault. */
export function parseExplainArgs(argv: readonly string[]): ExplainRequest | null {
  const own = new Map<string, string>();
  const positional: string[] = [];
  const runFlags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const split = splitOption(arg);
    const field = split === undefined ? undefined : OWN[split.name];
    if (split !== undefined && field !== undefined) {
      if (field === 'help') return null;
      let value = split.value;
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined) throw new OptionsError(`${split.name} needs a value`);
        i++;
      }
      if (own.has(field)) throw new OptionsError(`${split.name} is given twice`);
      own.set(field, value);
    } else if (arg.startsWith('--')) {
      runFlags.push(arg);
      if (!arg.includes('=') && takesNextValue(arg.slice(2), argv[i + 1])) runFlags.push(argv[++i] ?? '');
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new OptionsError(`unknown option ${q(arg)}\n${EXPLAIN_USAGE}`);
    } else {
      positional.push(arg);
    }
  }
  const target = parseTarget(positional);
  const output = own.get('output') ?? 'table';
  if (output !== 'table' && output !== 'json')
    throw new OptionsError(`-o: ${q(output)} is not an output format (table or json)`);
  const from = own.get('fromDeployment');
  let fromDeployment: ExplainRequest['fromDeployment'];
  if (from !== undefined) {
    const [namespace = '', name = '', ...rest] = from.split('/');
    if (namespace === '' || name === '' || rest.length > 0)
      throw new OptionsError(`--from-deployment: ${q(from)} is not NAMESPACE/NAME`);
    fromDeployment = { namespace, name };
  }
  const namespace = own.get('namespace');
  if (namespace === '') throw new OptionsError('-n: the namespace is empty');
  return {
    target,
    namespace,
    output,
    key: own.get('key'),
    fromDeployment,
    context: own.get('context'),
    kubeconfig: own.get('kubeconfig'),
    runFlags,
  };
}

/** `-nfoo`, `-n=foo`, `--namespace=foo` and `-n` alone; undefined for an argument that is no option of ours. */
function splitOption(arg: string): { name: string; value: string | undefined } | undefined {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  if (OWN[name] !== undefined) return { name, value: eq < 0 ? undefined : arg.slice(eq + 1) };
  if (/^-[no]./.test(arg)) return { name: arg.slice(0, 2), value: arg.slice(2) };
  return undefined;
}

/** Whether a run flag given as `--name` takes the next argument as its value, as `run` reads it. */
function takesNextValue(name: string, next: string | undefined): boolean {
  const key = FLAG_KEYS.find((k) => FLAGS[k].spec.flag === name || FLAGS[k].spec.aliases.includes(name));
  if (key === undefined || next === undefined || next.startsWith('-')) return false;
  const spec = FLAGS[key].spec;
  return spec.stringSwitch ? /^(true|false)$/i.test(next) : !spec.boolean;
}

function parseTarget(positional: readonly string[]): ExplainTarget {
  const [first, second, ...rest] = positional;
  if (first === undefined)
    throw new OptionsError(`explain needs what to explain, e.g. configmap/app or deployment/web\n${EXPLAIN_USAGE}`);
  const slash = first.indexOf('/');
  const [type, name] = slash < 0 ? [first, second] : [first.slice(0, slash), first.slice(slash + 1)];
  const extra = slash < 0 ? rest : [second, ...rest].filter((a) => a !== undefined);
  if (extra.length > 0) throw new OptionsError(`unexpected argument ${q(extra[0] ?? '')}: explain takes one TYPE/NAME`);
  if (name === undefined || name === '' || name.includes('/'))
    throw new OptionsError(`${q(first)}: give TYPE/NAME, e.g. deployment/web`);
  const lower = type.toLowerCase();
  const config = CONFIG_TYPES[lower];
  if (config !== undefined) return { kind: config, name, config: true };
  const workload =
    SHORT_NAMES[lower] ?? WORKLOAD_KINDS.find((k) => k.kind.toLowerCase() === lower || k.resource === lower)?.kind;
  if (workload !== undefined) return { kind: workload, name, config: false };
  return { kind: undefined, type, name, config: false };
}

/** A declared kind as explain matches a type against it. */
export interface DeclaredType {
  /** The kind as the API spells it (CloneSet). */
  readonly kind: string;
  readonly group: string;
  /** Plural resource, once known. */
  readonly resource: string | undefined;
}

/**
 * The declared kind that `type` names, as kubectl spells one: its kind or
 * plural resource, in any case, alone or followed by `.GROUP`. Throws
 * OptionsError naming the type when none matches.
 */
export function declaredTarget<T extends DeclaredType>(type: string, declared: readonly T[]): T {
  const lower = type.toLowerCase();
  const found = declared.find((d) =>
    [d.kind.toLowerCase(), d.resource].some((n) => n !== undefined && (lower === n || lower === `${n}.${d.group}`)),
  );
  if (found !== undefined) return found;
  const kinds = declared.map((d) => `${d.kind.toLowerCase()}.${d.group}`);
  throw new OptionsError(
    `${q(type)} is not a type explain knows: configmap, secret, ${WORKLOAD_KINDS.map((k) => k.kind.toLowerCase()).join(', ')}` +
      (kinds.length === 0 ? ', or a kind declared with --workload-kind' : `, ${kinds.join(', ')} (declared)`),
  );
}
