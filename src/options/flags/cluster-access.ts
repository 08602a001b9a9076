import { optionalFlag } from '../flag-spec.ts';
import { optionalText } from '../values.ts';

/** How the controller reaches the API server. */
export const CLUSTER_ACCESS_FLAGS = {
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
} as const;
