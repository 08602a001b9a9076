import { FLAG_KEYS, FLAGS, type FlagKey } from './flags.ts';
import { OptionsError } from './options-error.ts';
import { q } from './value-parser.ts';

/** Stakater Reloader flags that mini-reloader does not take, and what to do instead. */
const STAKATER_ONLY: Readonly<Record<string, string>> = {
  'leader-election-release-on-cancel': 'mini-reloader always releases its Lease when it stops; drop the flag',
  'watch-namespace': 'use --namespaces',
  'health-addr': 'the probes are served on --metrics-address',
};

const BY_NAME: ReadonlyMap<string, FlagKey> = new Map(
  FLAG_KEYS.flatMap((k) => [FLAGS[k].spec.flag, ...FLAGS[k].spec.aliases].map((n): [string, FlagKey] => [n, k])),
);

/** The raw values of one flag, as given. */
export interface Given {
  /** The spelling used, e.g. `--metrics-addr`. */
  readonly source: string;
  readonly raws: string[];
}

/** Sorts argv into raw values per flag; flags given more than once keep every value, in order. */
export function scanArgv(argv: readonly string[]): Map<FlagKey, Given> {
  const given = new Map<FlagKey, Given>();
  let previousBoolean: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (match === null) {
      if (arg.startsWith('-') && arg.length > 1 && arg !== '--') throw new OptionsError(unknownFlag(arg));
      const hint =
        previousBoolean === undefined || !/^(true|false)$/i.test(arg)
          ? ''
          : ` (a boolean flag takes its value after "=": ${previousBoolean}=${arg.toLowerCase()})`;
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
          throw new OptionsError(
            `${source} needs a value (${source}=<${spec.value}> or ${source} <${spec.value}>${spec.default === undefined || spec.default === '' ? '' : `; default ${spec.default}`})`,
          );
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
  if (stakater !== undefined)
    return `--${name} is a Stakater Reloader flag that mini-reloader does not take: ${stakater}`;
  const close = [...BY_NAME.keys()].filter(
    (n) => editDistance(n, name.toLowerCase()) <= 2 || (name.length >= 4 && n.startsWith(name)),
  );
  const suggestion = close.length === 0 ? '' : `; did you mean ${close.map((n) => `--${n}`).join(' or ')}?`;
  return `unknown flag ${arg.split('=')[0] ?? arg}${suggestion} (mini-reloader run --help lists the flags)`;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next.push(
        Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
