/**
 * Every key of Stakater Reloader's Helm chart (2.2.x) that a values file may
 * set, as dotted paths. A path ending in a map or list the chart passes on
 * whole (labels, affinity, env.open, ...) is one key: what is inside is the
 * user's. The chart's values.schema.json lists the same keys (a test holds
 * them equal), so the chart and `migrate-values` refuse the same unknown keys.
 */
export const STAKATER_KEYS: readonly string[] = Object.freeze([
  'global.imageRegistry', 'global.imagePullSecrets',
  'kubernetes.host',
  'nameOverride', 'fullnameOverride',
  'image.name', 'image.repository', 'image.tag', 'image.digest', 'image.pullPolicy',
  ...[
    'autoReloadAll', 'isArgoRollouts', 'isOpenshift', 'ignoreSecrets', 'ignoreConfigMaps', 'ignoreJobs', 'ignoreCronJobs',
    'reloadOnCreate', 'reloadOnDelete', 'syncAfterRestart', 'reloadStrategy', 'ignoreNamespaces', 'namespaceSelector',
    'resourceLabelSelector', 'logFormat', 'logLevel', 'watchGlobally', 'namespaces', 'enableHA', 'enablePProf',
    'enableCSIIntegration', 'pprofAddr', 'readOnlyRootFileSystem', 'legacy.rbac', 'matchLabels', 'enableMetricsByNamespace',
    ...[
      'dnsConfig', 'replicas', 'revisionHistoryLimit', 'hostUsers', 'nodeSelector', 'affinity', 'volumeMounts', 'volumes',
      'securityContext', 'containerSecurityContext', 'tolerations', 'topologySpreadConstraints', 'annotations', 'labels',
      'env.open', 'env.secret', 'env.field', 'env.existing', 'livenessProbe', 'readinessProbe', 'resources', 'pod.annotations',
      'priorityClassName', 'runtimeClassName', 'schedulerName', 'gomaxprocsOverride', 'gomemlimitOverride',
      'automountServiceAccountToken',
    ].map((k) => `deployment.${k}`),
    ...['labels', 'annotations', 'port', 'ipFamilyPolicy', 'ipFamilies'].map((k) => `service.${k}`),
    'rbac.enabled', 'rbac.labels',
    ...['create', 'labels', 'annotations', 'name'].map((k) => `serviceAccount.${k}`),
    ...['configmap', 'secret', 'auto', 'secret_auto', 'configmap_auto', 'search', 'match', 'ignore', 'pausePeriod', 'pauseTime']
      .map((k) => `custom_annotations.${k}`),
    ...['enabled', 'namespace', 'interval', 'scheme', 'tlsConfig', 'bearerTokenFile', 'timeout', 'labels', 'annotations',
      'honorLabels', 'metricRelabelings', 'relabelings', 'targetLabels'].map((k) => `serviceMonitor.${k}`),
    ...['enabled', 'namespace', 'interval', 'scheme', 'tlsConfig', 'bearerTokenSecret', 'timeout', 'labels', 'annotations',
      'honorLabels', 'metricRelabelings', 'relabelings', 'podTargetLabels'].map((k) => `podMonitor.${k}`),
    'podDisruptionBudget.enabled', 'podDisruptionBudget.minAvailable', 'podDisruptionBudget.maxUnavailable',
    'netpol.enabled', 'netpol.from', 'netpol.to',
    ...['enabled', 'recommenders', 'controlledResources', 'controlledValues', 'maxAllowed', 'minAllowed',
      'updatePolicy.updateMode', 'updatePolicy.minReplicas'].map((k) => `verticalPodAutoscaler.${k}`),
    'webhookUrl',
  ].map((k) => `reloader.${k}`),
]);
