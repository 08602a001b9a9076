import { isNonEmpty, isTrue } from './helm-values.ts';
import type { MigrationInProgress } from './migration-in-progress.ts';

/** Replicas, leader election and the PodDisruptionBudget, with Stakater's anti-affinity when it elects a leader. */
export function mapReplicas(m: MigrationInProgress): void {
  const { at, r, put, refuse, from, release } = m;
  const replicasGiven = at('reloader.deployment.replicas');
  const replicas = replicasGiven === undefined ? 1 : Math.trunc(Number(replicasGiven) || 0);
  const enableHA = isTrue(r('enableHA'));
  const ha = enableHA || replicas > 1;
  if (ha) {
    put(
      'ha.enabled',
      true,
      enableHA ? from('enableHA') : 'from reloader.deployment.replicas above 1, with which Stakater elects a leader',
    );
    put(
      'ha.replicas',
      enableHA ? replicas : 1,
      enableHA ? 'from reloader.deployment.replicas' : 'Stakater runs one replica without reloader.enableHA',
    );
    if (!isNonEmpty(at('reloader.deployment.affinity'))) {
      put(
        'affinity',
        {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: {
                    matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values: [release.name] }],
                  },
                },
              },
            ],
          },
        },
        `Stakater's anti-affinity with HA (reloader.enableHA without reloader.deployment.affinity), written for release "${release.name}"`,
      );
    }
  } else if (replicasGiven !== undefined && replicas !== 1) {
    put('replicaCount', Math.min(replicas, 1), 'from reloader.deployment.replicas');
  }
  const pdbEnabled = isTrue(r('podDisruptionBudget.enabled'));
  put(
    'ha.podDisruptionBudget.enabled',
    pdbEnabled,
    pdbEnabled
      ? from('podDisruptionBudget.enabled')
      : 'Stakater renders no PodDisruptionBudget unless reloader.podDisruptionBudget.enabled',
  );
  if (pdbEnabled && !ha)
    refuse(
      'reloader.podDisruptionBudget.enabled',
      'on a single replica it blocks every node drain; set reloader.enableHA true (and reloader.deployment.replicas 2), or remove it',
    );
  for (const k of ['maxUnavailable', 'minAvailable']) {
    if (at(`reloader.podDisruptionBudget.${k}`) !== undefined)
      put(`ha.podDisruptionBudget.${k}`, r(`podDisruptionBudget.${k}`), from(`podDisruptionBudget.${k}`));
  }
}
