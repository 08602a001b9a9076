import type { ControllerSettings } from './controller/controller.ts';
import type { RunOptions } from './options.ts';

/** What the controller needs from the validated run options. */
export function controllerSettings(o: RunOptions): ControllerSettings {
  return {
    namespaces: o.namespaces,
    namespacesToIgnore: o.namespacesToIgnore,
    namespaceSelector: o.namespaceSelector,
    resourceLabelSelector: o.resourceLabelSelector,
    debounceMs: o.debounceMs,
    dryRun: o.dryRun,
    fieldManager: o.fieldManager,
    workers: o.workers,
    rollsPerSecond: o.maxRollsPerSecond,
    rollsBurst: o.maxRollsBurst,
    enabledLabel: o.enabledLabel,
    hashAnnotation: o.hashAnnotation,
    ignoreAnnotation: o.annotations.ignore,
    matchAnnotation: o.annotations.match,
    optIn: {
      autoAnnotation: o.annotations.auto,
      configMapAutoAnnotation: o.annotations.configMapAuto,
      secretAutoAnnotation: o.annotations.secretAuto,
      searchAnnotation: o.annotations.search,
      configMapReloadAnnotation: o.annotations.configMapReload,
      secretReloadAnnotation: o.annotations.secretReload,
      configMapExcludeAnnotation: o.annotations.configMapExclude,
      secretExcludeAnnotation: o.annotations.secretExclude,
      autoReloadAll: o.autoReloadAll,
      ignoredConfigKinds: new Set(o.resourcesToIgnore),
    },
  };
}
