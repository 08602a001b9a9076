import type { ConfigEntry } from '../config/config-cache.ts';
import { keyChangesText, noKeyChanges, type KeyChanges } from '../config/data-change.ts';
import type { ConfigKind } from '../model/config-kind.ts';
import { referenceKey } from '../model/config-id.ts';

/**
 * A config whose change starts a roll, as Events, webhook bodies and alerts
 * name it: with the key names (never values) of its last change that the
 * workload's pods can see, and who wrote it, where the cache knows.
 */
export interface ChangedConfig {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly keys?: KeyChanges;
  /** The field manager of the write (`kubectl-edit`, `helm`, …). */
  readonly manager?: string;
  /** The object that owns the config (`ExternalSecret/db`). */
  readonly owner?: string;
}

/** A config and the keys the workload's pods see of it ('all', or the keys a key-level reference lists). */
export interface VisibleConfig {
  readonly kind: ConfigKind;
  readonly name: string;
  readonly keys: 'all' | readonly string[];
}

/**
 * The configs `ids` names, described from their last change in the cache
 * when the controller saw it (`seen`): a change it did not watch has no
 * keys to tell. Keys a key-level reference does not list are left out.
 */
export function changedConfigs(
  ids: readonly string[],
  refs: readonly VisibleConfig[],
  entry: (kind: ConfigKind, name: string) => ConfigEntry | undefined,
  seen: readonly string[],
): ChangedConfig[] {
  return refs
    .filter((ref) => ids.includes(referenceKey(ref.kind, ref.name)))
    .map((ref) => {
      const base = { kind: ref.kind, name: ref.name };
      const change = seen.includes(referenceKey(ref.kind, ref.name)) ? entry(ref.kind, ref.name)?.change : undefined;
      if (change === undefined) return base;
      const visible = (keys: readonly string[]): string[] =>
        ref.keys === 'all' ? [...keys] : keys.filter((k) => ref.keys.includes(k));
      const keys = {
        changed: visible(change.keys.changed),
        added: visible(change.keys.added),
        removed: visible(change.keys.removed),
      };
      return {
        ...base,
        ...(noKeyChanges(keys) ? {} : { keys }),
        ...(change.manager === undefined ? {} : { manager: change.manager }),
        ...(change.owner === undefined ? {} : { owner: change.owner }),
      };
    });
}

/**
 * `ConfigMap/app: keys LOG_LEVEL, FEATURE_X changed (by kubectl-edit, owned by ExternalSecret/app)`,
 * or `ConfigMap/app changed` when no key is known.
 */
export function changedConfigText(config: ChangedConfig): string {
  const id = referenceKey(config.kind, config.name);
  const what = config.keys === undefined ? `${id} changed` : `${id}: ${keyChangesText(config.keys)}`;
  const who = [
    ...(config.manager === undefined ? [] : [`by ${config.manager}`]),
    ...(config.owner === undefined ? [] : [`owned by ${config.owner}`]),
  ];
  return who.length === 0 ? what : `${what} (${who.join(', ')})`;
}
