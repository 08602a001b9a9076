import { flag, optionalFlag } from '../flag-spec.ts';
import { namespaceName, objectName } from '../kubernetes-names.ts';
import { booleanValue, duration, optionalText } from '../values.ts';

/** Leader election between replicas. */
export const HIGH_AVAILABILITY_FLAGS = {
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
} as const;
