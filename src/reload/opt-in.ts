import type { ConfigEntry } from '../config/config-cache.ts';
import type { ConfigKind, ConfigReference } from '../workload/config-reference.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import type { CountedConfig } from './config-hash.ts';

/** Annotation names and switches that decide which configs a workload follows. */
export interface OptInSettings {
  readonly autoAnnotation: string;
  readonly configMapAutoAnnotation: string;
  readonly secretAutoAnnotation: string;
  readonly searchAnnotation: string;
  /** Stakater's named mode: comma lists of anchored regexes naming configs, referenced or not. */
  readonly configMapReloadAnnotation: string;
  readonly secretReloadAnnotation: string;
  readonly configMapExcludeAnnotation: string;
  readonly secretExcludeAnnotation: string;
  /** Roll every workload for every config it references, unless it says auto: "false". */
  readonly autoReloadAll: boolean;
  readonly ignoredConfigKinds: ReadonlySet<ConfigKind>;
}

export interface SkippedConfig {
  readonly ref: ConfigReference;
  readonly reason: string;
}

/** The configs of the workload's namespace, as cached. */
export interface ConfigLookup {
  get(kind: ConfigKind, name: string): ConfigEntry | undefined;
  names(kind: ConfigKind): Iterable<string>;
}

/** A named-mode entry that is no valid regex: reported, and skipped. */
export interface InvalidPattern {
  readonly annotation: string;
  readonly pattern: string;
  readonly error: string;
}

export type OptInResult =
  | { readonly optedOut: true; readonly reason: string }
  | {
      readonly optedOut: false;
      readonly counted: readonly CountedConfig[];
      readonly skipped: readonly SkippedConfig[];
      readonly invalidPatterns: readonly InvalidPattern[];
    };

/**
 * Decides which configs a workload follows, in Stakater Reloader's order:
 * ignored kind, ignored object, exclude list, named list, search + match,
 * auto (typed, plain or auto-reload-all), then mini-reloader's own opt-in
 * label. A missing config counts only where the workload follows configs
 * without looking at them (auto modes): its later creation is then a change.
 * Named lists also select configs the pod spec does not reference; those
 * count with all their keys.
 */
export function decideOptIn(workload: WorkloadRecord, configs: ConfigLookup, settings: OptInSettings): OptInResult {
  const annotations = steeringSource(workload, settings);
  const auto = annotations[settings.autoAnnotation];
  if (auto === 'false') return { optedOut: true, reason: `${settings.autoAnnotation} is "false"` };

  const typedAuto: Record<ConfigKind, boolean> = {
    ConfigMap: annotations[settings.configMapAutoAnnotation] === 'true',
    Secret: annotations[settings.secretAutoAnnotation] === 'true',
  };
  const excluded: Record<ConfigKind, ReadonlySet<string>> = {
    ConfigMap: commaSet(annotations[settings.configMapExcludeAnnotation]),
    Secret: commaSet(annotations[settings.secretExcludeAnnotation]),
  };
  const search = annotations[settings.searchAnnotation] === 'true';
  const invalidPatterns: InvalidPattern[] = [];
  const named: Record<ConfigKind, readonly RegExp[]> = {
    ConfigMap: namedPatterns(settings.configMapReloadAnnotation, annotations, invalidPatterns),
    Secret: namedPatterns(settings.secretReloadAnnotation, annotations, invalidPatterns),
  };
  const isNamed = (kind: ConfigKind, name: string): boolean => named[kind].some((re) => re.test(name));
  const followsAll = auto === 'true' || settings.autoReloadAll;

  const counted: CountedConfig[] = [];
  const skipped: SkippedConfig[] = [];
  const references = [...workload.references];
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    if (named[kind].length === 0) continue;
    for (const name of configs.names(kind)) {
      if (isNamed(kind, name) && !references.some((r) => r.kind === kind && r.name === name)) {
        references.push({ kind, name, keys: 'all', optional: true, containers: [] });
      }
    }
  }
  for (const ref of references) {
    const entry = configs.get(ref.kind, ref.name);
    const skip = (reason: string): void => { skipped.push({ ref, reason }); };
    if (settings.ignoredConfigKinds.has(ref.kind)) skip(`${ref.kind}s are ignored (--resources-to-ignore)`);
    else if (entry?.ignored === true) skip('the object carries the ignore annotation');
    else if (excluded[ref.kind].has(ref.name)) skip('excluded by the workload');
    else if (entry !== undefined && isNamed(ref.kind, ref.name)) counted.push({ ref, digests: entry.digests });
    else if (search) {
      if (entry?.match === true) counted.push({ ref, digests: entry.digests });
      else skip('search mode and the object lacks the match annotation');
    } else if (followsAll || typedAuto[ref.kind]) counted.push({ ref, digests: entry?.digests });
    else if (entry?.enabled === true) counted.push({ ref, digests: entry.digests });
    else skip('not opted in (no auto annotation on the workload, no enabled label on the object)');
  }
  return { optedOut: false, counted, skipped, invalidPatterns };
}

/**
 * Whether the workload opts in with an annotation of its own (auto, typed
 * auto, a named list or search), rather than through --auto-reload-all or
 * a label on the config. Recreating a Job reruns it, so only this counts.
 */
export function hasExplicitOptIn(workload: WorkloadRecord, settings: OptInSettings): boolean {
  const a = steeringSource(workload, settings);
  return a[settings.autoAnnotation] === 'true' || a[settings.configMapAutoAnnotation] === 'true' || a[settings.secretAutoAnnotation] === 'true'
    || a[settings.searchAnnotation] === 'true' || a[settings.configMapReloadAnnotation] !== undefined || a[settings.secretReloadAnnotation] !== undefined;
}

/** Entries of a named list as anchored regexes; invalid ones are collected, never thrown. */
function namedPatterns(annotation: string, annotations: Readonly<Record<string, string>>, invalid: InvalidPattern[]): RegExp[] {
  const patterns: RegExp[] = [];
  for (const pattern of commaSet(annotations[annotation])) {
    try {
      patterns.push(new RegExp(`^(?:${pattern})$`));
    } catch (err) {
      invalid.push({ annotation, pattern, error: `not a valid regular expression: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return patterns;
}

/** Stakater reads the workload's metadata annotations, or the pod template's when the metadata has none of them. */
function steeringSource(workload: WorkloadRecord, settings: OptInSettings): Readonly<Record<string, string>> {
  const names = [
    settings.autoAnnotation, settings.configMapAutoAnnotation, settings.secretAutoAnnotation, settings.searchAnnotation,
    settings.configMapExcludeAnnotation, settings.secretExcludeAnnotation, settings.configMapReloadAnnotation, settings.secretReloadAnnotation,
  ];
  return names.some((n) => workload.annotations[n] !== undefined) ? workload.annotations : workload.templateAnnotations;
}

function commaSet(value: string | undefined): ReadonlySet<string> {
  if (value === undefined) return new Set();
  return new Set(value.split(',').map((s) => s.trim()).filter((s) => s !== ''));
}
