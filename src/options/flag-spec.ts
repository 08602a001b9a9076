import { q, type ValueParser } from './value-parser.ts';

export type FlagGroup =
  | 'Stakater Reloader compatibility'
  | 'Cluster access'
  | 'Scope'
  | 'Rolling'
  | 'High availability'
  | 'Alerts'
  | 'Observability'
  | 'Annotation names (Stakater Reloader compatible)';

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

/** A flag as the parser reads it: what help shows, how a value parses, and what it is when not given. */
export interface FlagDef<T> {
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

/** A flag with a default; the default is parsed here, so a bad one fails when the table loads. */
export function flag<T>(
  spec: SpecInput & { readonly default: string },
  parse: ValueParser<T>,
  combine?: (a: T, b: T) => T,
): FlagDef<T> {
  const fallback = parseDefault(spec, parse, spec.default);
  const stakaterFallback =
    spec.stakaterDefault === undefined ? fallback : parseDefault(spec, parse, spec.stakaterDefault);
  return { spec: toSpec(spec, spec.default), parse, fallback, stakaterFallback, combine };
}

function parseDefault<T>(spec: SpecInput, parse: ValueParser<T>, raw: string): T {
  try {
    return parse(raw);
  } catch (err) {
    throw new Error(
      `default ${q(raw)} of --${spec.flag} does not parse: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** A flag without a default: undefined when neither it nor its env var is given. */
export function optionalFlag<T>(
  spec: SpecInput,
  parse: ValueParser<T | undefined>,
  combine?: (a: T | undefined, b: T | undefined) => T | undefined,
): FlagDef<T | undefined> {
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
