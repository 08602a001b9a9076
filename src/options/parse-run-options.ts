import { WORKLOAD_KINDS, type WorkloadKind } from '../model/workload-kind.ts';
import { mapAnnotations } from '../model/annotations.ts';
import type { FlagDef } from './flag-spec.ts';
import { FLAG_KEYS, FLAGS, type FlagKey, type FlagValues } from './flags.ts';
import { OptionsError } from './options-error.ts';
import type { AlertOptions, HaOptions, RunOptions } from './run-options.ts';
import { scanArgv } from './scan-argv.ts';
import { InvalidValue, q } from './value-parser.ts';
import { distinctWorkloadKinds } from './workload-kind-flag.ts';

/** Flags whose bad value Stakater logs and runs on with its default: so do we. */
const WARN_ON_INVALID: ReadonlySet<FlagKey> = new Set(['logFormat', 'logLevel']);

/**
 * Parses the arguments after `mini-reloader run`, falling back to `env` for
 * flags that have an environment variable (an empty variable counts as
 * unset), then to the defaults (Stakater's under --stakater-defaults).
 * Throws OptionsError on the first problem, except where Stakater Reloader
 * warns and carries on: those settings are ignored and named in `warnings`.
 */
export function parseRunOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RunOptions {
  const given = scanArgv(argv);
  const values: Partial<Record<FlagKey, unknown>> = {};
  const sources: Partial<Record<FlagKey, string>> = {};
  const warnings: string[] = [];
  const stakaterDefaults =
    given
      .get('stakaterDefaults')
      ?.raws.map((raw) => parseValue(FLAGS.stakaterDefaults, raw, '--stakater-defaults'))
      .at(-1) ?? false;
  for (const key of FLAG_KEYS) {
    // Each def only ever combines values its own parser produced, so erasing T here is sound.
    const def = FLAGS[key] as FlagDef<unknown>;
    const fallback = stakaterDefaults ? def.stakaterFallback : def.fallback;
    const fromArgv = given.get(key);
    const envName = def.spec.env;
    const envValue = envName === undefined ? undefined : env[envName];
    try {
      if (fromArgv !== undefined) {
        const parsed = fromArgv.raws.map((raw) => parseValue(def, raw, fromArgv.source));
        values[key] = parsed.reduce((a, b) => (def.combine === undefined ? b : def.combine(a, b)));
        sources[key] = fromArgv.source;
      } else if (envName !== undefined && envValue !== undefined && envValue !== '') {
        values[key] = parseValue(def, envValue, envName);
        sources[key] = envName;
      } else {
        values[key] = fallback;
      }
    } catch (err) {
      if (!(err instanceof OptionsError) || !WARN_ON_INVALID.has(key)) throw err;
      warnings.push(
        `${err.message}; ignored, using the default ${q(stakaterDefaults ? (def.spec.stakaterDefault ?? def.spec.default) : def.spec.default)}, as Stakater Reloader does`,
      );
      values[key] = fallback;
    }
  }
  const v = values as FlagValues;

  let namespacesToIgnore = v.namespacesToIgnore;
  let namespaceSelector = v.namespaceSelector;
  if (v.namespaces.length > 0) {
    // Stakater logs these and runs on in the namespaces it was given.
    const mode =
      sources.namespaces === 'KUBERNETES_NAMESPACE'
        ? 'KUBERNETES_NAMESPACE (single-namespace mode)'
        : `${sources.namespaces ?? '--namespaces'} (namespaced mode)`;
    if (namespaceSelector !== undefined) {
      warnings.push(
        `${sources.namespaceSelector ?? '--namespace-selector'} ${q(namespaceSelector)} is ignored: it is for cluster-wide mode, and ${mode} watches only ` +
          `${v.namespaces.join(', ')}, with no permission to read Namespace objects, which the selector needs`,
      );
      namespaceSelector = undefined;
    }
    if (namespacesToIgnore.length > 0) {
      warnings.push(
        `${sources.namespacesToIgnore ?? '--namespaces-to-ignore'} ${q(namespacesToIgnore.join(','))} is ignored: it is for cluster-wide mode, and ${mode} ` +
          `watches only ${v.namespaces.join(', ')}`,
      );
      namespacesToIgnore = [];
    }
  }

  let ha: HaOptions | undefined;
  if (v.enableHa) {
    const leaseNamespace = v.leaderElectionNamespace ?? v.podNamespace;
    if (v.podName === undefined)
      throw new OptionsError(
        `${sources.enableHa ?? '--enable-ha'} needs POD_NAME (or --pod-name): each replica's identity in the Lease; set it from the downward API (fieldRef metadata.name)`,
      );
    if (leaseNamespace === undefined)
      throw new OptionsError(
        `${sources.enableHa ?? '--enable-ha'} needs POD_NAMESPACE (or --leader-election-namespace): where the Lease lives; set it from the downward API (fieldRef metadata.namespace)`,
      );
    if (v.leaderElectionRenewDeadline >= v.leaderElectionLeaseDuration)
      throw new OptionsError(
        `--leader-election-renew-deadline (${v.leaderElectionRenewDeadline} ms) must be below --leader-election-lease-duration (${v.leaderElectionLeaseDuration} ms)`,
      );
    if (v.leaderElectionRetryPeriod >= v.leaderElectionRenewDeadline || v.leaderElectionRetryPeriod <= 0)
      throw new OptionsError(
        `--leader-election-retry-period (${v.leaderElectionRetryPeriod} ms) must be above 0 and below --leader-election-renew-deadline (${v.leaderElectionRenewDeadline} ms)`,
      );
    ha = {
      leaseName: v.leaderElectionId,
      leaseNamespace,
      identity: v.podName,
      leaseDurationMs: v.leaderElectionLeaseDuration,
      renewDeadlineMs: v.leaderElectionRenewDeadline,
      retryPeriodMs: v.leaderElectionRetryPeriod,
    };
  }
  let alerts: AlertOptions | undefined;
  if (v.alertOnReload) {
    if (v.alertWebhookUrl === undefined)
      throw new OptionsError(
        `${sources.alertOnReload ?? '--alert-on-reload'} needs ALERT_WEBHOOK_URL (or --alert-webhook-url): where to send the alerts`,
      );
    if (v.alertStructured && v.alertSink !== 'raw') {
      warnings.push(
        `${sources.alertStructured ?? '--alert-structured'} is ignored: it is for the raw sink, and ${sources.alertSink ?? '--alert-sink'} is ${q(v.alertSink)}`,
      );
    }
    alerts = {
      sink: v.alertSink,
      url: v.alertWebhookUrl,
      additionalInfo: v.alertAdditionalInfo?.trim(),
      proxy: v.alertProxy,
      structured: v.alertStructured && v.alertSink === 'raw',
    };
  }
  const declared = distinctWorkloadKinds(v.workloadKind, sources.workloadKind ?? '--workload-kind');
  const ignoredWorkloadTypes: WorkloadKind[] = [...v.ignoredWorkloadTypes];
  if (declared.rolloutWorkloadRef) {
    // The preset asks for Rollouts: only an explicit refusal of them contradicts it.
    const refusal = ignoredWorkloadTypes.includes('Rollout')
      ? sources.ignoredWorkloadTypes
      : sources.argoRollouts !== undefined && !v.argoRollouts
        ? sources.argoRollouts
        : undefined;
    if (refusal !== undefined)
      throw new OptionsError(
        `${sources.workloadKind ?? '--workload-kind'} argo-rollout-workloadref follows Argo Rollouts, which ${refusal} turns off; drop one of them`,
      );
  } else if (!v.argoRollouts && !ignoredWorkloadTypes.includes('Rollout')) {
    ignoredWorkloadTypes.push('Rollout');
  }
  if (ignoredWorkloadTypes.length === WORKLOAD_KINDS.length && declared.kinds.length === 0) {
    throw new OptionsError(
      `${sources.ignoredWorkloadTypes ?? '--ignored-workload-types'}: every workload type is ignored, which leaves nothing to roll`,
    );
  }

  return Object.freeze({
    kubeconfig: v.kubeconfig,
    namespaces: Object.freeze(v.namespaces),
    namespacesToIgnore: Object.freeze(namespacesToIgnore),
    namespaceSelector,
    resourceLabelSelector: v.resourceLabelSelector,
    debounceMs: v.debounce,
    dryRun: v.dryRun,
    fieldManager: v.fieldManager,
    workers: v.workers,
    maxRollsPerSecond: v.maxRollsPerSecond,
    maxRollsBurst: v.maxRollsBurst,
    adoptionWritesPerSecond: v.adoptionWritesPerSecond,
    metricsAddress: v.metricsAddress,
    logFormat: v.logFormat,
    logLevel: v.logLevel,
    enabledLabel: v.enabledLabel,
    hashAnnotation: v.hashAnnotation,
    autoReloadAll: v.autoReloadAll,
    resourcesToIgnore: Object.freeze(v.resourcesToIgnore),
    csiIntegration: v.enableCsiIntegration,
    ignoredWorkloadTypes: Object.freeze(ignoredWorkloadTypes),
    workloadKinds: Object.freeze(declared.kinds),
    rolloutWorkloadRef: declared.rolloutWorkloadRef,
    reloadStrategy: v.reloadStrategy,
    reloadOnCreate: v.reloadOnCreate,
    reloadOnDelete: v.reloadOnDelete,
    maintenanceWindows: Object.freeze(v.maintenanceWindow),
    rolloutWaves: Object.freeze(v.rolloutWaves),
    waveTimeoutMs: v.waveTimeout,
    rollLoop: Object.freeze({ maxRolls: v.maxRollsPerWorkload, windowMs: v.rollLoopWindow }),
    startCronJobRuns: v.startCronJobRuns,
    webhookUrl: v.webhookUrl,
    ha,
    metricsByNamespace: v.metricsCountByNamespace,
    alerts,
    annotations: Object.freeze(mapAnnotations((key) => v[`${key}Annotation`])),
    profilingAddress: v.enablePprof ? v.pprofAddr : undefined,
    warnings: Object.freeze(warnings),
  });
}

function parseValue<T>(def: FlagDef<T>, raw: string, source: string): T {
  try {
    return def.parse(raw);
  } catch (err) {
    if (err instanceof InvalidValue) throw new OptionsError(`${source}: ${err.message}`);
    throw err;
  }
}
