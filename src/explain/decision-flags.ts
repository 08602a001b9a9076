import { ANNOTATIONS, type AnnotationKey } from '../model/annotations.ts';
import { FLAGS, type FlagKey } from '../options/flags.ts';
import { parseRunOptions } from '../options/parse-run-options.ts';
import type { RunOptions } from '../options/run-options.ts';
import { scanArgv } from '../options/scan-argv.ts';

/**
 * The flags of `mini-reloader run` that change what it decides for a
 * workload: its scope, the opt-in switches, the declared workload kinds,
 * what a record is called and the annotation names. `explain` takes every run flag, so that a controller's
 * arguments can be pasted as they are, and reads only these.
 */
export const DECISION_FLAGS: ReadonlySet<FlagKey> = new Set<FlagKey>([
  'stakaterDefaults',
  'namespaces',
  'namespacesToIgnore',
  'namespaceSelector',
  'resourceLabelSelector',
  'resourcesToIgnore',
  'autoReloadAll',
  'enabledLabel',
  'hashAnnotation',
  'reloadOnCreate',
  'reloadOnDelete',
  'ignoredWorkloadTypes',
  'argoRollouts',
  'workloadKind',
  // Every annotation name.
  ...(Object.keys(ANNOTATIONS) as AnnotationKey[]).map((key): FlagKey => `${key}Annotation`),
]);

/** Flags and variables that decide, as `run` would read them, with where they came from. */
export interface DecisionSource {
  readonly argv: readonly string[];
  /** Only the variables of decision flags are read (KUBERNETES_NAMESPACE). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The decision flags of `argv`, each value as `--flag=value`, in the order
 * given. Throws OptionsError for a flag `run` does not know, so a typo is
 * never silently ignored.
 */
function decisionFlags(argv: readonly string[]): [FlagKey, string][] {
  return [...scanArgv(argv)]
    .filter(([key]) => DECISION_FLAGS.has(key))
    .flatMap(([key, given]) => given.raws.map((raw): [FlagKey, string] => [key, `--${FLAGS[key].spec.flag}=${raw}`]));
}

/**
 * The run options that the decision flags of `base` (the controller's own
 * Deployment, or nothing) and then `overrides` (the command line) come to:
 * a flag on the command line replaces that flag of the Deployment. Throws
 * OptionsError as `run` would.
 */
export function decisionOptions(base: DecisionSource, overrides: readonly string[]): RunOptions {
  const given = decisionFlags(overrides);
  const overridden = new Set(given.map(([key]) => key));
  const kept = decisionFlags(base.argv).filter(([key]) => !overridden.has(key));
  const env: Record<string, string | undefined> = {};
  for (const key of DECISION_FLAGS) {
    const name = FLAGS[key].spec.env;
    if (name !== undefined && !overridden.has(key)) env[name] = base.env[name];
  }
  return parseRunOptions(
    [...kept, ...given].map(([, arg]) => arg),
    env,
  );
}
