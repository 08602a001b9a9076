import { mapAnnotations, type AnnotationKey } from '../model/annotations.ts';
import { WORKLOAD_KINDS } from '../model/workload-kind.ts';
import { concat } from './csv-list.ts';
import { flag, optionalFlag, type FlagDef, type FlagSpec } from './flag-spec.ts';
import { annotationName, namespaceList, namespaceName, objectName, qualifiedName } from './kubernetes-names.ts';
import { joinSelectors, labelSelector, SELECTOR_ALLOWED } from './label-selector.ts';
import { KIND_PRESETS } from '../workload/kind-presets.ts';
import {
  alertSink,
  booleanValue,
  duration,
  enabledValue,
  fieldManager,
  httpUrl,
  integer,
  listenAddress,
  logFormat,
  logLevel,
  maintenanceWindows,
  optionalText,
  positiveNumber,
  reloadStrategy,
  resourcesToIgnore,
  workloadTypes,
} from './values.ts';
import { WORKLOAD_KIND_FORM, workloadKindValue } from './workload-kind-flag.ts';

// The flags. This table is the single source: the parser, RUN_FLAGS,
// formatHelp() and the README check all read it.

export const FLAGS = {
  stakaterDefaults: flag(
    {
      flag: 'stakater-defaults',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Stakater Reloader compatibility',
      description:
        "Use Stakater Reloader's defaults where ours differ: --log-format text (logfmt), --reload-strategy env-vars, and Argo Rollouts only with --is-Argo-Rollouts. " +
        'A flag given explicitly still wins.',
    },
    booleanValue,
  ),
  kubeconfig: optionalFlag(
    {
      flag: 'kubeconfig',
      env: 'KUBECONFIG',
      value: 'path',
      group: 'Cluster access',
      description:
        'Kubeconfig file to use. Without it or KUBECONFIG: ~/.kube/config, then the in-cluster service account.',
    },
    optionalText,
  ),
  namespaces: flag(
    {
      flag: 'namespaces',
      env: 'KUBERNETES_NAMESPACE',
      value: 'a,b',
      default: '',
      group: 'Scope',
      description:
        'Namespaced mode: watch only these namespaces, each on its own, so Roles suffice (no ClusterRole). Empty: every namespace. ' +
        "Without the flag, KUBERNETES_NAMESPACE (Stakater's single-namespace mode) is used.",
    },
    namespaceList,
    concat,
  ),
  namespacesToIgnore: flag(
    {
      flag: 'namespaces-to-ignore',
      value: 'a,b',
      default: '',
      group: 'Scope',
      description: 'Namespaces never watched or acted in. Cluster-wide mode only.',
    },
    namespaceList,
    concat,
  ),
  namespaceSelector: optionalFlag(
    {
      flag: 'namespace-selector',
      value: 'selector',
      group: 'Scope',
      description:
        `Act only in namespaces whose labels match (${SELECTOR_ALLOWED}; Stakater's k:v and k:* also work). ` +
        'Needs list and watch on namespaces, so cluster-wide mode only.',
    },
    labelSelector,
    joinSelectors,
  ),
  resourceLabelSelector: optionalFlag(
    {
      flag: 'resource-label-selector',
      value: 'selector',
      group: 'Scope',
      description:
        'Watch only the ConfigMaps and Secrets whose labels match (same syntax); the API server filters them.',
    },
    labelSelector,
    joinSelectors,
  ),
  resourcesToIgnore: flag(
    {
      flag: 'resources-to-ignore',
      value: 'configMaps|secrets',
      default: '',
      group: 'Scope',
      description: 'Never watch or react to this kind (any letter case; not both).',
    },
    resourcesToIgnore,
    (a, b) => [...new Set([...a, ...b])],
  ),
  autoReloadAll: flag(
    {
      flag: 'auto-reload-all',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Scope',
      description:
        'Follow every ConfigMap and Secret each workload references, without annotations; a workload annotated auto "false" still opts out.',
    },
    booleanValue,
  ),
  debounce: flag(
    {
      flag: 'debounce',
      value: 'duration',
      default: '2s',
      group: 'Rolling',
      description: 'Gather config changes that land within this window into one rollout. 0 turns it off; at most 1h.',
    },
    duration(3_600_000, '1h'),
  ),
  dryRun: flag(
    {
      flag: 'dry-run',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description: 'Decide and log what would roll, and record WouldReload Events, but change no workload.',
    },
    booleanValue,
  ),
  maintenanceWindow: flag(
    {
      flag: 'maintenance-window',
      value: 'windows',
      default: '',
      group: 'Rolling',
      description:
        'Weekly windows for every workload, such as "Mon-Fri 02:00-04:00 Europe/Berlin, Sat 00:00-06:00 UTC" (days, HH:MM-HH:MM, a time zone; UTC when left out). ' +
        "Outside them rolls wait, and roll once with the newest data when a window opens. A workload's maintenance-window annotation overrides it. Empty: always.",
    },
    maintenanceWindows,
  ),
  fieldManager: flag(
    {
      flag: 'field-manager',
      value: 'name',
      default: 'mini-reloader',
      group: 'Rolling',
      description:
        'Server-side apply field manager of every write (1-128 characters); GitOps tools can be told to ignore its fields.',
    },
    fieldManager,
  ),
  workers: flag(
    {
      flag: 'workers',
      value: 'n',
      default: '4',
      group: 'Rolling',
      description: 'Workloads reconciled in parallel (1-64).',
    },
    integer(1, 64),
  ),
  maxRollsPerSecond: flag(
    {
      flag: 'max-rolls-per-second',
      value: 'rate',
      default: '10',
      group: 'Rolling',
      description:
        'Rollouts started per second at most (above 0), so a config shared by thousands of workloads does not restart them all at once.',
    },
    positiveNumber,
  ),
  maxRollsBurst: flag(
    {
      flag: 'max-rolls-burst',
      value: 'n',
      default: '50',
      group: 'Rolling',
      description: 'Rollouts that may start at once before --max-rolls-per-second applies (1 or more).',
    },
    integer(1),
  ),
  adoptionWritesPerSecond: flag(
    {
      flag: 'adoption-writes-per-second',
      value: 'rate',
      default: '20',
      group: 'Rolling',
      description:
        "Adoption writes (the record on a workload seen for the first time: at a first start, every workload followed) per second at most (above 0), with bursts of one second's worth. Rolls have their own limit.",
    },
    positiveNumber,
  ),
  enabledLabel: flag(
    {
      flag: 'enabled-label',
      value: 'label',
      default: 'mini-reloader.pelabs/enabled',
      group: 'Rolling',
      description:
        'Label that opts a ConfigMap or Secret in (value "true"): the workloads that reference it roll when it changes.',
    },
    qualifiedName('label name'),
  ),
  hashAnnotation: flag(
    {
      flag: 'hash-annotation',
      value: 'annotation',
      default: 'mini-reloader.pelabs/config-hash',
      group: 'Rolling',
      description:
        'Pod-template annotation that holds the hash of the configs a workload sees (--reload-strategy hash); "<annotation>-record" on the workload records, per config, what its pods see.',
    },
    qualifiedName('annotation name', 54, ', and "-record" must still fit in 63'),
  ),
  reloadStrategy: flag(
    {
      flag: 'reload-strategy',
      value: 'hash|env-vars|annotations',
      default: 'hash',
      stakaterDefault: 'env-vars',
      group: 'Rolling',
      description:
        "How a roll changes the pod template. hash: one annotation with the hash of every config followed. env-vars: Stakater's STAKATER_<NAME>_<CONFIGMAP|SECRET> variable on the container that uses the config. " +
        "annotations: Stakater's reloader.stakater.com/last-reloaded-from, written only when data changed. Switching rolls nothing by itself; the next roll swaps the marks.",
    },
    reloadStrategy,
  ),
  reloadOnCreate: flag(
    {
      flag: 'reload-on-create',
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        'Roll when a config a workload follows is created (it was referenced while absent). Off: its appearance is only recorded.',
    },
    booleanValue,
  ),
  reloadOnDelete: flag(
    {
      flag: 'reload-on-delete',
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        "Roll when a config a workload follows is deleted: hash changes the hash, env-vars removes the config's variable, annotations names the config with an empty hash. " +
        'Never for a reference that is not optional (new pods could not start). Off: the deletion is only recorded.',
    },
    booleanValue,
  ),
  syncAfterRestart: flag(
    {
      flag: 'sync-after-restart',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Rolling',
      description:
        'Accepted for Stakater compatibility; it changes nothing. Every start compares each workload with its recorded config state, so changes made while the controller was down roll exactly once, and nothing else rolls.',
    },
    booleanValue,
  ),
  ignoredWorkloadTypes: flag(
    {
      flag: 'ignored-workload-types',
      value: 'jobs,cronjobs,…',
      default: '',
      group: 'Scope',
      description: `Workload types never watched or rolled (${WORKLOAD_KINDS.map((k) => k.typeName).join(', ')}); their RBAC rules can be dropped.`,
    },
    workloadTypes,
    (a, b) => [...new Set([...a, ...b])],
  ),
  argoRollouts: flag(
    {
      flag: 'argo-rollouts',
      aliases: ['is-Argo-Rollouts'],
      boolean: true,
      stringSwitch: true,
      value: '',
      default: 'true',
      stakaterDefault: 'false',
      group: 'Scope',
      description:
        'Follow Argo Rollouts (argoproj.io/v1alpha1) when the cluster serves them, also when their CRD is installed later. Same as leaving rollouts out of --ignored-workload-types.',
    },
    booleanValue,
  ),
  enableCsiIntegration: flag(
    {
      flag: 'enable-csi-integration',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Scope',
      description:
        'Follow the SecretProviderClasses that CSI volumes mount (Secrets Store CSI driver, secrets-store.csi.x-k8s.io/v1): ' +
        'a new set of object versions in their SecretProviderClassPodStatuses rolls the workloads. Needs list and watch on both; ' +
        'only while the cluster serves them, also when their CRDs are installed later.',
    },
    booleanValue,
  ),
  workloadKind: flag(
    {
      flag: 'workload-kind',
      value: `${WORKLOAD_KIND_FORM}|preset`,
      default: '',
      group: 'Scope',
      description:
        'Also follow and roll this kind; repeat the flag for more. resource defaults to the plural discovery reports, template to spec.template (a roll marks it, as for Deployments); ' +
        'restart-field rolls by setting that field to the current time instead, the references still being read from the template. A kind not served yet is picked up when its CRD appears. ' +
        `Presets: ${KIND_PRESETS.map((p) => `${p.name} (${p.summary})`).join('; ')}.`,
    },
    workloadKindValue,
    (a, b) => [...a, ...b],
  ),
  startCronJobRuns: flag(
    {
      flag: 'start-cronjob-runs',
      boolean: true,
      value: '',
      default: 'true',
      group: 'Rolling',
      description:
        'When a CronJob rolls, also start a Job from its new template at once, as Stakater does. Never for a suspended CronJob, nor beside an active run under concurrencyPolicy Forbid.',
    },
    booleanValue,
  ),
  webhookUrl: optionalFlag(
    {
      flag: 'webhook-url',
      value: 'url',
      group: 'Rolling',
      description:
        'Instead of rolling, POST a JSON description of each roll (workload, the configs that changed, all configs it follows, the new hash) to this URL. A failed POST is retried with backoff.',
    },
    httpUrl,
  ),
  enableHa: flag(
    {
      flag: 'enable-ha',
      boolean: true,
      value: '',
      default: 'false',
      group: 'High availability',
      description:
        'Leader election with a coordination.k8s.io/v1 Lease: only the leader writes; the other replicas keep their caches synced and take over within the lease duration. Needs POD_NAME and POD_NAMESPACE.',
    },
    booleanValue,
  ),
  leaderElectionId: flag(
    {
      flag: 'leader-election-id',
      value: 'name',
      default: 'mini-reloader',
      group: 'High availability',
      description: 'Name of the Lease.',
    },
    objectName,
  ),
  leaderElectionNamespace: optionalFlag(
    {
      flag: 'leader-election-namespace',
      value: 'namespace',
      group: 'High availability',
      description: 'Namespace of the Lease. Default: POD_NAMESPACE.',
    },
    namespaceName,
  ),
  leaderElectionLeaseDuration: flag(
    {
      flag: 'leader-election-lease-duration',
      value: 'duration',
      default: '15s',
      group: 'High availability',
      description: 'How long a Lease that is not renewed keeps others from taking over.',
    },
    duration(3_600_000, '1h'),
  ),
  leaderElectionRenewDeadline: flag(
    {
      flag: 'leader-election-renew-deadline',
      value: 'duration',
      default: '10s',
      group: 'High availability',
      description:
        'A leader that cannot renew within this stops writing at once, and /live fails so it restarts. Below the lease duration.',
    },
    duration(3_600_000, '1h'),
  ),
  leaderElectionRetryPeriod: flag(
    {
      flag: 'leader-election-retry-period',
      value: 'duration',
      default: '2s',
      group: 'High availability',
      description: 'How often to try to take or renew the Lease. Below the renew deadline.',
    },
    duration(3_600_000, '1h'),
  ),
  podName: optionalFlag(
    {
      flag: 'pod-name',
      env: 'POD_NAME',
      value: 'name',
      group: 'High availability',
      description: "This replica's identity in the Lease; set from the downward API.",
    },
    optionalText,
  ),
  podNamespace: optionalFlag(
    {
      flag: 'pod-namespace',
      env: 'POD_NAMESPACE',
      value: 'namespace',
      group: 'High availability',
      description: 'The namespace the controller runs in; set from the downward API.',
    },
    namespaceName,
  ),
  alertOnReload: flag(
    {
      flag: 'alert-on-reload',
      env: 'ALERT_ON_RELOAD',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Alerts',
      description:
        'After each roll, send a message naming the workload, its kind, its namespace and the configs that changed. Sent in the background: a slow or failing receiver never delays a roll; a failed send is logged and counted in mini_reloader_alerts_total{result}.',
    },
    booleanValue,
  ),
  alertSink: flag(
    {
      flag: 'alert-sink',
      env: 'ALERT_SINK',
      value: 'slack|teams|gchat|raw',
      default: 'raw',
      group: 'Alerts',
      description:
        'The receiver\'s format: slack (attachment), teams and gchat ({"text"}), raw (the text as text/plain; Stakater\'s "webhook" means the same).',
    },
    alertSink,
  ),
  alertWebhookUrl: optionalFlag(
    {
      flag: 'alert-webhook-url',
      env: 'ALERT_WEBHOOK_URL',
      value: 'url',
      group: 'Alerts',
      description:
        'Where alerts are POSTed; needed with --alert-on-reload. Keep it in a Secret: chat webhook URLs are credentials.',
    },
    httpUrl,
  ),
  alertAdditionalInfo: optionalFlag(
    {
      flag: 'alert-additional-info',
      env: 'ALERT_ADDITIONAL_INFO',
      value: 'text',
      group: 'Alerts',
      description: "Put in front of every alert, e.g. the cluster's name.",
    },
    optionalText,
  ),
  alertProxy: optionalFlag(
    {
      flag: 'alert-proxy',
      env: 'ALERT_WEBHOOK_PROXY',
      value: 'url',
      group: 'Alerts',
      description: "HTTP proxy for the alert receiver only (Stakater's ALERT_WEBHOOK_PROXY).",
    },
    httpUrl,
  ),
  alertStructured: flag(
    {
      flag: 'alert-structured',
      env: 'ALERT_STRUCTURED',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Alerts',
      description:
        'Raw sink only (Stakater v2\'s flag): POST a JSON object instead of text: event "reload", workloadKind, workloadName, workloadNamespace, ' +
        'resourceKind, resourceName, resourceNamespace (the first config that changed), timestamp (RFC 3339), additional (when set), and resources (every config that changed).',
    },
    booleanValue,
  ),
  metricsCountByNamespace: flag(
    {
      flag: 'metrics-count-by-namespace',
      env: 'METRICS_COUNT_BY_NAMESPACE',
      value: 'enabled|disabled',
      default: 'disabled',
      group: 'Observability',
      description:
        "Also count rolls per namespace in reloader_reload_executed_total_by_namespace{success,namespace} (Stakater's opt-in).",
    },
    enabledValue,
  ),
  metricsAddress: flag(
    {
      flag: 'metrics-address',
      aliases: ['metrics-addr'],
      value: 'host:port',
      default: ':9090',
      group: 'Observability',
      description:
        'Serves /metrics, /healthz, /live and /readyz; :9090 listens on every interface. Stakater v2 spells it --metrics-addr, also accepted.',
    },
    listenAddress,
  ),
  logFormat: flag(
    {
      flag: 'log-format',
      value: 'json|text',
      default: 'json',
      stakaterDefault: 'text',
      group: 'Observability',
      description:
        "json: one JSON object per line. text: logfmt, like Stakater's default; an empty value also means text, as in Stakater. " +
        'Another value is logged as ignored and the default applies, as in Stakater.',
    },
    logFormat,
  ),
  logLevel: flag(
    {
      flag: 'log-level',
      value: 'level',
      default: 'info',
      group: 'Observability',
      description:
        "trace, debug, info, warn or error (Stakater's warning, fatal and panic also work). debug says why each workload was not rolled. " +
        'Another value is logged as ignored and the default applies, as in Stakater.',
    },
    logLevel,
  ),
  enablePprof: flag(
    {
      flag: 'enable-pprof',
      boolean: true,
      value: '',
      default: 'false',
      group: 'Observability',
      description:
        'Serve a V8 heap snapshot (/debug/pprof/heap) and a CPU profile (/debug/pprof/profile?seconds=N, 1 to 300, default 30) on --pprof-addr, ' +
        'in formats Chrome DevTools opens; one at a time. A heap snapshot holds whatever is in memory, Secret values in flight included: never expose the port.',
    },
    booleanValue,
  ),
  pprofAddr: flag(
    {
      flag: 'pprof-addr',
      value: 'host:port',
      default: ':6060',
      group: 'Observability',
      description: 'Where --enable-pprof serves; 127.0.0.1:6060 keeps it to kubectl port-forward.',
    },
    listenAddress,
  ),
  ...annotationFlags(),
} as const;

type AnnotationFlags = { readonly [K in AnnotationKey as `${K}Annotation`]: FlagDef<string> };

/** One flag per entry of the annotation table, keyed `<key>Annotation`, in table order. */
function annotationFlags(): AnnotationFlags {
  const defs = mapAnnotations((_, a) =>
    flag(
      {
        flag: a.flag,
        value: 'annotation',
        default: a.default,
        group: 'Annotation names (Stakater Reloader compatible)',
        description: a.description,
      },
      annotationName,
    ),
  );
  // Object.fromEntries types its keys as string; these are exactly the table's keys with the suffix.
  return Object.fromEntries(Object.entries(defs).map(([key, def]) => [`${key}Annotation`, def])) as AnnotationFlags;
}

export type FlagKey = keyof typeof FLAGS;
/** Each flag's value, typed by its parser. */
export type FlagValues = { [K in FlagKey]: (typeof FLAGS)[K] extends FlagDef<infer T> ? T : never };

export const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[];

/** Every flag of `mini-reloader run`, in help order, with its environment variable, default and description. */
export const RUN_FLAGS: readonly FlagSpec[] = Object.freeze(FLAG_KEYS.map((k) => FLAGS[k].spec));

/** Every environment variable the options read, with the flag it stands in for. */
export const RUN_ENV_VARS: readonly { readonly env: string; readonly flag: string }[] = Object.freeze(
  RUN_FLAGS.flatMap((f) => (f.env === undefined ? [] : [Object.freeze({ env: f.env, flag: f.flag })])),
);
