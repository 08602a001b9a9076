import type { ReflectorTarget } from '../kube/reflector-types.ts';
import type { ConfigKind } from '../model/config-kind.ts';

/** Helm keeps every release in a Secret of this type; they are never mounted, so never watched. */
export const HELM_RELEASE_SECRETS = 'type!=helm.sh/release.v1';

/**
 * What the controller lists and watches of one config kind, in one namespace
 * or all: `--resource-label-selector` for both kinds, and for Secrets the
 * Helm release field selector and sensitive handling.
 */
export function configListTarget(
  kind: ConfigKind,
  namespace: string | undefined,
  resourceLabelSelector: string | undefined,
): ReflectorTarget {
  return {
    apiPrefix: '/api/v1',
    resource: kind === 'ConfigMap' ? 'configmaps' : 'secrets',
    namespace,
    ...(resourceLabelSelector === undefined ? {} : { labelSelector: resourceLabelSelector }),
    ...(kind === 'Secret' ? { fieldSelector: HELM_RELEASE_SECRETS, sensitive: true } : {}),
  };
}
