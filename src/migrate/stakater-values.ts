import { isMap, isSet, isFalse, isTrue, type Values } from './helm-values.ts';
import { inputKeys, STAKATER_ONLY } from './input-keys.ts';
import { mapSurroundingObjects } from './map-surrounding-objects.ts';
import { mapBehaviour, mapScope } from './map-controller-config.ts';
import { mapImage } from './map-image.ts';
import { mapEnv, mapPod } from './map-pod.ts';
import { mapReplicas } from './map-replicas.ts';
import { DEFAULT_RELEASE, startMigration, type MigrationInProgress, type Release } from './migration-in-progress.ts';

/**
 * Stakater Reloader's Helm values (chart 2.2.x) rewritten as mini-reloader's
 * chart's. The same mapping as the chart's templates/_stakater.tpl, which reads
 * a Stakater file directly; a test renders both and compares:
 * - a Stakater key at Stakater's default is left out (`config.stakaterDefaults`
 *   gives Stakater's defaults), and said so;
 * - any other Stakater key wins over the key of ours it maps to;
 * - a key this chart cannot honour, or no key of Stakater's at all, is refused,
 *   with what to do instead.
 */
export interface Migration {
  /** The values file for this chart. */
  readonly values: Record<string, unknown>;
  /** Why each value is there: output path (dotted) to the sentences saying where it came from. */
  readonly comments: ReadonlyMap<string, readonly string[]>;
  /** Input keys that change nothing here, each with why. */
  readonly leftOut: readonly string[];
  /** Input keys this chart cannot honour, each with what to do instead. */
  readonly refused: readonly string[];
}

/** Rewrites a Stakater values file (already parsed) as this chart's values. */
export function migrateStakaterValues(input: Values, release: Release = DEFAULT_RELEASE): Migration {
  const values: Values = {};
  for (const [k, v] of Object.entries(input)) if (!STAKATER_ONLY.has(k)) values[k] = structuredClone(v);
  const m = startMigration(input, values, release);
  const { comments, refused, at, put, refuse } = m;
  const leftOut: string[] = [];

  const { known, unknown } = inputKeys(input);
  for (const path of unknown) refuse(path, "no key of Stakater Reloader's chart 2.2.x nor of this chart; remove it");

  if (isMap(input.reloader)) {
    mapReloader(m);
    if (!isSet(at('config.stakaterDefaults')))
      put(
        'config.stakaterDefaults',
        true,
        "Stakater's defaults where ours differ: text logs, env-vars strategy, Argo Rollouts only when asked",
      );
  }
  mapImage(m);

  const said = [...[...comments.values()].flat(), ...refused];
  const mentioned = (path: string): boolean => {
    const pattern = new RegExp(`(^|[^\\w.])${path.replaceAll('.', '\\.')}(?![\\w.])`);
    return said.some((text) => pattern.test(text));
  };
  for (const path of known) if (!mentioned(path)) leftOut.push(`${path}: ${leftOutReason(path)}`);
  return { values, comments, leftOut, refused };
}

function leftOutReason(path: string): string {
  if (path === 'kubernetes.host' || path === 'reloader.legacy.rbac') return "read by none of Stakater's own templates";
  if (
    path.startsWith('reloader.serviceMonitor.') ||
    path.startsWith('reloader.podMonitor.') ||
    path.startsWith('reloader.netpol.') ||
    path.startsWith('reloader.verticalPodAutoscaler.')
  )
    return 'has no effect while its enabled is false';
  return "Stakater's default, which stakaterDefaults and this chart's defaults already give, or of no effect here";
}

/** The keys under `reloader`: first those this chart cannot honour, then each area in turn. */
function mapReloader(m: MigrationInProgress): void {
  const { r, put, refuse, from } = m;
  if (isTrue(r('isOpenshift')))
    refuse(
      'reloader.isOpenshift',
      'mini-reloader does not roll OpenShift DeploymentConfigs; remove the key (convert them to Deployments, or keep Stakater Reloader for them)',
    );
  if (isTrue(r('ignoreSecrets')) && isTrue(r('ignoreConfigMaps')))
    refuse(
      'reloader.ignoreSecrets and reloader.ignoreConfigMaps',
      'together they leave nothing to watch; keep at most one',
    );
  else if (isTrue(r('ignoreSecrets'))) put('config.resourcesToIgnore', 'secrets', from('ignoreSecrets'));
  else if (isTrue(r('ignoreConfigMaps'))) put('config.resourcesToIgnore', 'configmaps', from('ignoreConfigMaps'));
  for (const k of ['gomaxprocsOverride', 'gomemlimitOverride']) {
    if (isSet(r(`deployment.${k}`)))
      refuse(
        `reloader.deployment.${k}`,
        "tunes Go's runtime and mini-reloader is no Go program; remove it and size it with reloader.deployment.resources.limits.memory (the V8 heap gets 60% of it)",
      );
  }
  if (isFalse(r('deployment.automountServiceAccountToken')))
    refuse(
      'reloader.deployment.automountServiceAccountToken',
      'false leaves mini-reloader without its credentials; remove the key',
    );
  if (isTrue(r('podMonitor.enabled')))
    refuse(
      'reloader.podMonitor.enabled',
      'this chart renders a ServiceMonitor, not a PodMonitor; use reloader.serviceMonitor (the same labels, interval and relabelings)',
    );
  if (isTrue(r('netpol.enabled')))
    refuse(
      'reloader.netpol.enabled',
      'this chart renders no NetworkPolicy; write your own (mini-reloader needs egress to the API server and its alert receiver, and ingress on its metrics port 9090)',
    );
  if (isTrue(r('verticalPodAutoscaler.enabled')))
    refuse(
      'reloader.verticalPodAutoscaler.enabled',
      'this chart renders no VerticalPodAutoscaler; create one for the Deployment yourself',
    );
  mapScope(m);
  mapBehaviour(m);
  mapReplicas(m);
  mapPod(m);
  mapEnv(m);
  mapSurroundingObjects(m);
}
