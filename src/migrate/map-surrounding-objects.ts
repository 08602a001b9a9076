import { isNonEmpty, isTrue } from './helm-values.ts';
import type { MigrationInProgress } from './migration-in-progress.ts';

/** Keys of `reloader.serviceMonitor` to ours under `serviceMonitor`. */
const MONITOR_KEYS: Readonly<Record<string, string>> = {
  enabled: 'enabled',
  namespace: 'namespace',
  interval: 'interval',
  timeout: 'scrapeTimeout',
  scheme: 'scheme',
  tlsConfig: 'tlsConfig',
  bearerTokenFile: 'bearerTokenFile',
  labels: 'labels',
  annotations: 'annotations',
  honorLabels: 'honorLabels',
  metricRelabelings: 'metricRelabelings',
  relabelings: 'relabelings',
  targetLabels: 'targetLabels',
};

/** The objects around the Deployment: Service, RBAC, ServiceAccount and ServiceMonitor. */
export function mapSurroundingObjects(m: MigrationInProgress): void {
  const { at, r, put, from } = m;
  for (const k of ['labels', 'annotations', 'port', 'ipFamilyPolicy', 'ipFamilies']) {
    if (at(`reloader.service.${k}`) !== undefined) put(`service.${k}`, r(`service.${k}`), from(`service.${k}`));
  }
  if (at('reloader.rbac.enabled') !== undefined && !isTrue(r('rbac.enabled')))
    put('rbac.create', false, from('rbac.enabled'));
  if (isNonEmpty(at('reloader.rbac.labels'))) put('rbac.labels', r('rbac.labels'), from('rbac.labels'));
  if (at('reloader.serviceAccount.create') !== undefined && !isTrue(r('serviceAccount.create')))
    put('serviceAccount.create', false, from('serviceAccount.create'));
  for (const k of ['labels', 'annotations', 'name'])
    if (isNonEmpty(at(`reloader.serviceAccount.${k}`)))
      put(`serviceAccount.${k}`, r(`serviceAccount.${k}`), from(`serviceAccount.${k}`));
  if (isTrue(r('serviceMonitor.enabled')))
    for (const [stakater, ours] of Object.entries(MONITOR_KEYS)) {
      if (at(`reloader.serviceMonitor.${stakater}`) !== undefined)
        put(`serviceMonitor.${ours}`, r(`serviceMonitor.${stakater}`), from(`serviceMonitor.${stakater}`));
    }
}
