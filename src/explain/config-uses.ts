import type { ConfigKind } from '../model/config-kind.ts';
import type { ConfigUse, UseVia } from '../workload/pod-references.ts';

/**
 * One way a workload's pods use a config, as explain shows it (`uses` in
 * the JSON contract): by which container (null: a volume no named
 * container mounts), whether that is an init container, and how.
 */
export interface UseView {
  readonly container: string | null;
  readonly init: boolean;
  readonly via: UseVia;
  /** volume, projected, csi: the volume that carries it. */
  readonly volume?: string;
  /** env: the key the variable takes its value from. */
  readonly key?: string;
  /** volume, projected: the keys its `items` project; absent when it projects all of them. */
  readonly items?: readonly string[];
  readonly optional: boolean;
}

/** The uses of one config among a workload's uses, in pod spec order, each distinct one once. */
export function useViews(uses: readonly ConfigUse[], kind: ConfigKind, name: string): UseView[] {
  const views = new Map<string, UseView>();
  for (const use of uses) {
    if (use.kind !== kind || use.name !== name) continue;
    const view: UseView = {
      container: use.container ?? null,
      init: use.init,
      via: use.via,
      ...(use.volume === undefined ? {} : { volume: use.volume }),
      ...(use.keys === 'all' ? {} : use.via === 'env' ? { key: use.keys[0] ?? '' } : { items: use.keys }),
      optional: use.optional,
    };
    // A volume mounted twice by one container is one use.
    views.set(JSON.stringify(view), view);
  }
  return [...views.values()];
}

/**
 * The uses in a few words for the table, e.g. `envFrom in app`,
 * `env key PASSWORD in init container migrate`, `volume cfg (items a, b) in app`.
 */
export function usesText(views: readonly UseView[]): string {
  if (views.length === 0) return '-';
  return views
    .map((v) => {
      const how =
        v.via === 'env'
          ? `env key ${v.key ?? ''}`
          : v.volume === undefined
            ? v.via
            : `${v.via} ${v.volume}${v.items === undefined ? '' : ` (items ${v.items.join(', ')})`}`;
      const where =
        v.container === null ? 'in no named container' : `in ${v.init ? 'init container ' : ''}${v.container}`;
      return `${how}${v.optional ? ' (optional)' : ''} ${where}`;
    })
    .join('; ');
}
