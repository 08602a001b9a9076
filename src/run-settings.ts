import type { ControllerSettings } from './controller/controller.ts';
import type { RunOptions } from './options/run-options.ts';

/** Stakater's annotations for SecretProviderClasses: it has no flags to rename them, nor do we. */
export const SECRET_PROVIDER_CLASS_ANNOTATIONS = {
  secretProviderClassAutoAnnotation: 'secretproviderclass.reloader.stakater.com/auto',
  secretProviderClassReloadAnnotation: 'secretproviderclass.reloader.stakater.com/reload',
  secretProviderClassExcludeAnnotation: 'secretproviderclasses.exclude.reloader.stakater.com/reload',
} as const;

/** What the controller needs from the validated run options. */
export function controllerSettings(o: RunOptions): ControllerSettings {
  return {
    namespaces: o.namespaces,
    namespacesToIgnore: o.namespacesToIgnore,
    namespaceSelector: o.namespaceSelector,
    resourceLabelSelector: o.resourceLabelSelector,
    debounceMs: o.debounceMs,
    fieldManager: o.fieldManager,
    workers: o.workers,
    rollsPerSecond: o.maxRollsPerSecond,
    rollsBurst: o.maxRollsBurst,
    adoptionWritesPerSecond: o.adoptionWritesPerSecond,
    enabledLabel: o.enabledLabel,
    ignoreAnnotation: o.annotations.ignore,
    matchAnnotation: o.annotations.match,
    pausedAtAnnotation: o.annotations.pausedAt,
    ignoredWorkloadKinds: new Set(o.ignoredWorkloadTypes),
    startCronJobRuns: o.startCronJobRuns,
    csiIntegration: o.csiIntegration,
    reconcile: {
      strategy: o.reloadStrategy,
      hashAnnotation: o.hashAnnotation,
      pausePeriodAnnotation: o.annotations.pausePeriod,
      rolloutStrategyAnnotation: o.annotations.rolloutStrategy,
      reloadOnCreate: o.reloadOnCreate,
      reloadOnDelete: o.reloadOnDelete,
      dryRun: o.dryRun,
      optIn: {
        autoAnnotation: o.annotations.auto,
        configMapAutoAnnotation: o.annotations.configMapAuto,
        secretAutoAnnotation: o.annotations.secretAuto,
        searchAnnotation: o.annotations.search,
        configMapReloadAnnotation: o.annotations.configMapReload,
        secretReloadAnnotation: o.annotations.secretReload,
        configMapExcludeAnnotation: o.annotations.configMapExclude,
        secretExcludeAnnotation: o.annotations.secretExclude,
        ...SECRET_PROVIDER_CLASS_ANNOTATIONS,
        autoReloadAll: o.autoReloadAll,
        ignoredConfigKinds: new Set([...o.resourcesToIgnore, ...(o.csiIntegration ? [] : ['SecretProviderClass' as const])]),
      },
    },
  };
}
