import type { ControllerSettings } from './controller/controller-settings.ts';
import type { RunOptions } from './options/run-options.ts';

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
    ignoredWorkloadKinds: new Set(o.ignoredWorkloadTypes),
    declaredKinds: o.workloadKinds,
    rolloutWorkloadRef: o.rolloutWorkloadRef,
    startCronJobRuns: o.startCronJobRuns,
    csiIntegration: o.csiIntegration,
    reconcile: {
      strategy: o.reloadStrategy,
      hashAnnotation: o.hashAnnotation,
      annotations: o.annotations,
      reloadOnCreate: o.reloadOnCreate,
      reloadOnDelete: o.reloadOnDelete,
      maintenanceWindows: o.maintenanceWindows,
      rolloutWaves: o.rolloutWaves,
      waveTimeoutMs: o.waveTimeoutMs,
      rollLoop: o.rollLoop,
      dryRun: o.dryRun,
      optIn: {
        annotations: o.annotations,
        autoReloadAll: o.autoReloadAll,
        ignoredConfigKinds: new Set([
          ...o.resourcesToIgnore,
          ...(o.csiIntegration ? [] : ['SecretProviderClass' as const]),
        ]),
      },
    },
  };
}
