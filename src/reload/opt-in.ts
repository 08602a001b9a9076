import type { ConfigEntry } from '../config/config-cache.ts';
import { namedListAnnotations, optInAnnotations, type AnnotationNames } from '../model/annotations.ts';
import { CONFIG_KINDS, type ConfigKind } from '../model/config-kind.ts';
import type { ConfigReference } from '../workload/config-reference.ts';
import type { WorkloadRecord } from '../workload/workload-cache.ts';
import { parseBool } from '../parse-bool.ts';
import type { CountedConfig } from './config-hash.ts';
import { isAbsentEntry, type ConfigRecord } from '../model/config-record.ts';
import { commaList, MAX_LIST_LENGTH, type InvalidPattern, type NameList } from './name-list.ts';

/** Annotation names and switches that decide which configs a workload follows. */
export interface OptInSettings {
  /** The rules read those of place 'opt-in'; named lists (configMapReload, secretReload) are comma lists of anchored regexes naming configs, referenced or not. */
  readonly annotations: AnnotationNames;
  /** Roll every workload for every config it references, unless it says auto: "false". */
  readonly autoReloadAll: boolean;
  readonly ignoredConfigKinds: ReadonlySet<ConfigKind>;
}

/** The rule that makes a workload follow a config, in Stakater Reloader's decision order. */
export type FollowRule = 'named-list' | 'search-match' | 'auto' | 'typed-auto' | 'auto-reload-all' | 'enabled-label';

/** A config the workload follows, and the rule that makes it. */
export interface FollowedRef extends CountedConfig {
  readonly rule: FollowRule;
}

/** Why a referenced (or named) config is not followed. */
export type SkipCause = 'kind-ignored' | 'not-reported' | 'config-ignored' | 'excluded' | 'no-match' | 'not-opted-in';

export interface SkippedConfig {
  readonly ref: ConfigReference;
  readonly cause: SkipCause;
  readonly reason: string;
}

/** The configs of the workload's namespace, as cached. */
export interface ConfigLookup {
  get(kind: ConfigKind, name: string): ConfigEntry | undefined;
  names(kind: ConfigKind): Iterable<string>;
}

/** A boolean annotation whose value Go's strconv.ParseBool would not read: treated as absent. */
export interface NotBoolean {
  readonly annotation: string;
  readonly value: string;
}

export type OptInResult =
  | { readonly optedOut: true; readonly reason: string }
  | {
      readonly optedOut: false;
      readonly counted: readonly FollowedRef[];
      readonly skipped: readonly SkippedConfig[];
      readonly invalidPatterns: readonly InvalidPattern[];
      readonly notBooleans: readonly NotBoolean[];
    };

/**
 * Decides which configs a workload follows, in Stakater Reloader's order:
 * ignored kind, ignored object, exclude list, named list, search + match,
 * auto (typed, plain or auto-reload-all), then mini-reloader's own opt-in
 * label. A missing config counts only where the workload follows configs
 * without looking at them (auto modes and named lists): its later creation
 * is then a change. Named lists also select configs the pod spec does not
 * reference; those count with all their keys, as optional (see
 * `namedCandidates` for which missing ones). Boolean annotations read as Go's
 * strconv.ParseBool does; any other value counts as absent and is listed
 * in `notBooleans`. `nameLists` compiles the named lists (its engine loaded
 * when `hasNamedList`).
 */
export function decideOptIn(
  workload: WorkloadRecord,
  configs: ConfigLookup,
  settings: OptInSettings,
  nameLists: { compile(value: string): NameList },
): OptInResult {
  const names = settings.annotations;
  const annotations = steeringSource(workload, settings);
  const notBooleans: NotBoolean[] = [];
  const flag = (annotation: string): boolean | undefined => {
    const value = annotations[annotation];
    const parsed = parseBool(value);
    if (value !== undefined && parsed === undefined) notBooleans.push({ annotation, value });
    return parsed;
  };
  const auto = flag(names.auto);
  if (auto === false) return { optedOut: true, reason: `${names.auto} is ${JSON.stringify(annotations[names.auto])}` };

  const typedAuto: Record<ConfigKind, boolean> = {
    ConfigMap: flag(names.configMapAuto) === true,
    Secret: flag(names.secretAuto) === true,
    SecretProviderClass: flag(names.secretProviderClassAuto) === true,
  };
  const excluded: Record<ConfigKind, ReadonlySet<string>> = {
    ConfigMap: new Set(commaList(annotations[names.configMapExclude])),
    Secret: new Set(commaList(annotations[names.secretExclude])),
    SecretProviderClass: new Set(commaList(annotations[names.secretProviderClassExclude])),
  };
  const search = flag(names.search) === true;
  const invalidPatterns: InvalidPattern[] = [];
  const namedList = (annotation: string): NameList | undefined => {
    const value = annotations[annotation];
    if (value === undefined) return undefined;
    const list = nameLists.compile(value);
    for (const bad of list.invalid) invalidPatterns.push({ annotation, ...bad });
    return list;
  };
  const named: Record<ConfigKind, NameList | undefined> = {
    ConfigMap: namedList(names.configMapReload),
    Secret: namedList(names.secretReload),
    SecretProviderClass: namedList(names.secretProviderClassReload),
  };
  const isNamed = (kind: ConfigKind, name: string): boolean => named[kind]?.matches(name) === true;

  const counted: FollowedRef[] = [];
  const skipped: SkippedConfig[] = [];
  const references = [...workload.references];
  for (const { kind } of CONFIG_KINDS) {
    if (named[kind] === undefined) continue;
    const value = annotations[namedListAnnotations(names)[kind]];
    for (const name of namedCandidates(kind, value, configs, workload.record)) {
      if (isNamed(kind, name) && !references.some((r) => r.kind === kind && r.name === name)) {
        references.push({ kind, name, keys: 'all', optional: true, containers: [] });
      }
    }
  }
  for (const ref of references) {
    const entry = configs.get(ref.kind, ref.name);
    const skip = (cause: SkipCause, reason: string): void => {
      skipped.push({ ref, cause, reason });
    };
    const follow = (rule: FollowRule): void => {
      counted.push({ ref, digests: entry?.digests, rule });
    };
    if (settings.ignoredConfigKinds.has(ref.kind))
      skip(
        'kind-ignored',
        ref.kind === 'SecretProviderClass'
          ? 'CSI volumes are followed only with --enable-csi-integration'
          : `${ref.kind}s are ignored (--resources-to-ignore)`,
      );
    // Pod statuses come and go with pods: a class none reports is neither created nor deleted, only not known yet.
    else if (ref.kind === 'SecretProviderClass' && entry === undefined)
      skip('not-reported', 'no pod status reports the versions of this SecretProviderClass yet');
    else if (entry?.ignored === true) skip('config-ignored', 'the object carries the ignore annotation');
    else if (excluded[ref.kind].has(ref.name)) skip('excluded', 'excluded by the workload');
    else if (isNamed(ref.kind, ref.name)) follow('named-list');
    else if (search) {
      if (entry?.match === true) follow('search-match');
      else skip('no-match', 'search mode and the object lacks the match annotation');
    } else if (auto === true) follow('auto');
    else if (typedAuto[ref.kind]) follow('typed-auto');
    else if (settings.autoReloadAll) follow('auto-reload-all');
    else if (entry?.enabled === true) follow('enabled-label');
    else
      skip(
        'not-opted-in',
        'not opted in (no auto annotation that reads true on the workload, no enabled label on the object)',
      );
  }
  return { optedOut: false, counted, skipped, invalidPatterns, notBooleans };
}

/** A Kubernetes object name (RFC 1123 subdomain): a named-list entry of this form names that object, present or not. */
const OBJECT_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * The names a named list may select that the pod spec does not reference:
 * the configs cached now, the entries that are plain object names (a
 * creation or deletion of one is then a change of a config followed while
 * missing, also across restarts), and the configs the record has as present
 * (so the deletion of one a pattern matched is seen too, once). A name a
 * pattern matches only after its creation is newly followed, not created.
 * The caller keeps only those the list matches.
 */
function* namedCandidates(
  kind: ConfigKind,
  value: string | undefined,
  configs: ConfigLookup,
  record: ConfigRecord | undefined,
): Iterable<string> {
  yield* configs.names(kind);
  if (value !== undefined && value.length <= MAX_LIST_LENGTH) {
    for (const entry of commaList(value)) if (OBJECT_NAME.test(entry)) yield entry;
  }
  for (const [id, entry] of record?.entries ?? []) {
    if (id.startsWith(`${kind}/`) && !isAbsentEntry(entry)) yield id.slice(kind.length + 1);
  }
}

/**
 * Whether the workload opts in with an annotation of its own (auto, typed
 * auto, a named list or search), rather than through --auto-reload-all or
 * a label on the config. Recreating a Job reruns it, so only this counts.
 */
export function hasExplicitOptIn(workload: WorkloadRecord, settings: OptInSettings): boolean {
  const a = steeringSource(workload, settings);
  const names = settings.annotations;
  return (
    parseBool(a[names.auto]) === true ||
    parseBool(a[names.configMapAuto]) === true ||
    parseBool(a[names.secretAuto]) === true ||
    parseBool(a[names.secretProviderClassAuto]) === true ||
    parseBool(a[names.search]) === true ||
    hasNamedList(workload, settings)
  );
}

/** Whether the workload steers with a named list (so the regex engine is needed). */
export function hasNamedList(workload: WorkloadRecord, settings: OptInSettings): boolean {
  const a = steeringSource(workload, settings);
  return Object.values(namedListAnnotations(settings.annotations)).some((name) => a[name] !== undefined);
}

/** Stakater reads the workload's metadata annotations, or the pod template's when the metadata has none of them. */
function steeringSource(workload: WorkloadRecord, settings: OptInSettings): Readonly<Record<string, string>> {
  return optInAnnotations(settings.annotations).some((n) => workload.annotations[n] !== undefined)
    ? workload.annotations
    : workload.templateAnnotations;
}
