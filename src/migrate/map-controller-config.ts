import { isFalse, isMap, isSet, isTrue, text } from './helm-values.ts';
import type { MigrationInProgress } from './migration-in-progress.ts';

/** Stakater's annotation names (`reloader.custom_annotations`) to the flags that set ours. */
const ANNOTATION_FLAGS: Readonly<Record<string, string>> = {
  configmap: 'configMapAnnotation',
  secret: 'secretAnnotation',
  auto: 'autoAnnotation',
  secret_auto: 'secretAutoAnnotation',
  configmap_auto: 'configMapAutoAnnotation',
  search: 'autoSearchAnnotation',
  match: 'searchMatchAnnotation',
  ignore: 'ignoreAnnotation',
  pausePeriod: 'pauseDeploymentAnnotation',
  pauseTime: 'pauseDeploymentTimeAnnotation',
};

/** Which namespaces are watched: watchGlobally, namespaces, ignoreNamespaces, namespaceSelector. */
export function mapScope(m: MigrationInProgress): void {
  const { r, put, refuse, from, release } = m;
  const global = !isFalse(r('watchGlobally'));
  let given = r('namespaces');
  if (typeof given === 'string') given = given.split(',');
  const namespaces = (Array.isArray(given) ? given : []).map((n) => text(n).trim()).filter((n) => n !== '');
  if (global) {
    if (namespaces.length > 0)
      refuse(
        'reloader.namespaces',
        'set while reloader.watchGlobally is true; set reloader.watchGlobally false to watch only those namespaces',
      );
    if (isSet(r('ignoreNamespaces')))
      put('config.namespacesToIgnore', text(r('ignoreNamespaces')), from('ignoreNamespaces'));
    if (isSet(r('namespaceSelector')))
      put('config.namespaceSelector', text(r('namespaceSelector')), from('namespaceSelector'));
    return;
  }
  const list = [...new Set([release.namespace, ...namespaces])].sort();
  put(
    'watchNamespaces',
    list,
    `from reloader.watchGlobally false${namespaces.length > 0 ? ' and reloader.namespaces' : ''}, with the release namespace (written for "${release.namespace}") as Stakater adds it: a Role in each`,
  );
  if (isSet(r('ignoreNamespaces')))
    refuse(
      'reloader.ignoreNamespaces',
      'applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or leave those namespaces out of reloader.namespaces',
    );
  if (isSet(r('namespaceSelector')))
    refuse(
      'reloader.namespaceSelector',
      'applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or list the namespaces in reloader.namespaces',
    );
}

/** The controller's flags (config.*): what it follows, how it rolls, its logs and its annotation names. */
export function mapBehaviour(m: MigrationInProgress): void {
  const { at, r, put, from } = m;
  if (isSet(r('resourceLabelSelector')))
    put('config.resourceLabelSelector', text(r('resourceLabelSelector')), from('resourceLabelSelector'));
  const kinds = [isTrue(r('ignoreJobs')) ? 'jobs' : '', isTrue(r('ignoreCronJobs')) ? 'cronjobs' : ''].filter(
    (k) => k !== '',
  );
  if (kinds.length > 0)
    put('config.ignoredWorkloadTypes', kinds.join(','), 'from reloader.ignoreJobs and reloader.ignoreCronJobs');
  const switches: Record<string, string> = {
    autoReloadAll: 'autoReloadAll',
    isArgoRollouts: 'argoRollouts',
    reloadOnCreate: 'reloadOnCreate',
    reloadOnDelete: 'reloadOnDelete',
    syncAfterRestart: 'syncAfterRestart',
    enablePProf: 'enablePprof',
    enableCSIIntegration: 'enableCsiIntegration',
  };
  for (const [stakater, ours] of Object.entries(switches))
    if (isTrue(r(stakater))) put(`config.${ours}`, true, from(stakater));
  if (isTrue(r('enableMetricsByNamespace')))
    put('config.metricsCountByNamespace', 'enabled', from('enableMetricsByNamespace'));
  const strategy = text(r('reloadStrategy') ?? 'default');
  if (strategy !== 'default') put('config.reloadStrategy', strategy, from('reloadStrategy'));
  else if (isFalse(at('config.stakaterDefaults')))
    put('config.reloadStrategy', 'env-vars', 'from reloader.reloadStrategy default, which is env-vars');
  if (isSet(r('logFormat'))) put('config.logFormat', text(r('logFormat')), from('logFormat'));
  if (isSet(r('logLevel')) && text(r('logLevel')) !== 'info')
    put('config.logLevel', text(r('logLevel')), from('logLevel'));
  if (isSet(r('pprofAddr')) && text(r('pprofAddr')) !== ':6060')
    put('config.pprofAddr', text(r('pprofAddr')), from('pprofAddr'));
  if (isSet(r('webhookUrl'))) put('config.webhookUrl', text(r('webhookUrl')), from('webhookUrl'));
  const custom = r('custom_annotations');
  if (isMap(custom)) {
    for (const [k, v] of Object.entries(custom)) {
      const flag = ANNOTATION_FLAGS[k];
      if (flag !== undefined && isSet(v)) put(`config.${flag}`, text(v), from(`custom_annotations.${k}`));
    }
  }
}
