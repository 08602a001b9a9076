import type { ConfigKind } from '../model/config-kind.ts';

/**
 * How a roll is written into the pod template. Every strategy changes the
 * template only when the data the pods see changed, so none of them rolls for
 * nothing; they differ in what the change looks like.
 *
 * - `hash` (ours): one annotation with the hash of every config followed.
 * - `env-vars` (Stakater's default): `STAKATER_<NAME>_<CONFIGMAP|SECRET>` on
 *   the container that uses each config, holding that config's hash.
 * - `annotations` (Stakater's): `reloader.stakater.com/last-reloaded-from`,
 *   naming the config whose change caused the roll.
 */
export type ReloadStrategy = 'hash' | 'env-vars' | 'annotations';

export const RELOAD_STRATEGIES: readonly ReloadStrategy[] = ['hash', 'env-vars', 'annotations'];

export const LAST_RELOADED_FROM = 'reloader.stakater.com/last-reloaded-from';

/** One followed config, as the roll describes it. */
export interface FollowedConfig {
  readonly kind: ConfigKind;
  readonly name: string;
  /** The record entry's data part; undefined when the object is absent. */
  readonly hash: string | undefined;
  /** Regular containers that use it. */
  readonly containers: readonly string[];
}

export interface RollPlan {
  /** Hash of everything the workload follows. */
  readonly combined: string;
  readonly configs: readonly FollowedConfig[];
  /** The config the roll is attributed to (Stakater's annotation names one). */
  readonly trigger: FollowedConfig;
  readonly namespace: string;
  /** Regular containers of the pod template, in order. */
  readonly containers: readonly string[];
  /** Unix seconds, for Stakater's observedAt. */
  readonly observedAt: number;
}

/** The part of a pod template a roll sets: annotations and container env vars. */
export interface TemplateMark {
  readonly annotations: Readonly<Record<string, string>>;
  readonly env: ReadonlyMap<string, readonly { readonly name: string; readonly value: string }[]>;
}

export function templateMark(strategy: ReloadStrategy, plan: RollPlan, hashAnnotation: string): TemplateMark {
  switch (strategy) {
    case 'hash':
      return { annotations: { [hashAnnotation]: plan.combined }, env: new Map() };
    case 'annotations':
      return { annotations: { [LAST_RELOADED_FROM]: lastReloadedFrom(plan) }, env: new Map() };
    case 'env-vars':
      return { annotations: {}, env: stakaterEnv(plan) };
  }
}

/** Stakater's name for each kind, in its variables and its last-reloaded-from annotation. */
const STAKATER_TYPE: Readonly<Record<ConfigKind, string>> = {
  ConfigMap: 'CONFIGMAP',
  Secret: 'SECRET',
  SecretProviderClass: 'SECRETPROVIDERCLASS',
};

/** Stakater's variable name: the object's name upper-cased, each run of other characters as one `_`. */
export function stakaterEnvName(kind: ConfigKind, name: string): string {
  return `STAKATER_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${STAKATER_TYPE[kind]}`;
}

/**
 * One variable per present config, on the first container that uses it (the
 * first container when only init containers or none do). An absent config
 * has none: with --reload-on-delete, dropping its variable is the roll.
 */
function stakaterEnv(plan: RollPlan): Map<string, { name: string; value: string }[]> {
  const byContainer = new Map<string, Map<string, string[]>>();
  const first = plan.containers[0];
  for (const config of plan.configs) {
    if (config.hash === undefined) continue;
    const container = config.containers.find((c) => plan.containers.includes(c)) ?? first;
    if (container === undefined) continue;
    const vars = byContainer.get(container) ?? new Map<string, string[]>();
    byContainer.set(container, vars);
    const name = stakaterEnvName(config.kind, config.name);
    // Names like a.b and a-b share a variable: both hashes go in, so either change rolls.
    vars.set(name, [...(vars.get(name) ?? []), config.hash].sort());
  }
  return new Map(
    [...byContainer].map(([container, vars]) => [
      container,
      [...vars].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, values]) => ({ name, value: values.join(',') })),
    ]),
  );
}

function lastReloadedFrom(plan: RollPlan): string {
  const { trigger } = plan;
  return JSON.stringify({
    type: STAKATER_TYPE[trigger.kind],
    name: trigger.name,
    namespace: plan.namespace,
    hash: trigger.hash ?? '',
    containerRefs: trigger.containers,
    observedAt: plan.observedAt,
  });
}
