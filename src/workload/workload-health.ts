import { asRecord } from '../kube/json-shape.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import type { WorkloadKind } from '../model/workload-kind.ts';

/**
 * Whether a workload's last rollout completed, as Kubernetes reports it in its
 * status: what a wave's health gate waits on. `detail` says what is missing or
 * what failed, in words for Events.
 *
 * - `healthy`: the rollout is complete (or the kind has no rollout to wait on);
 * - `progressing`: still on its way;
 * - `failed`: Kubernetes gave up on it (a Deployment past its progress deadline,
 *   a CronJob whose last Job failed).
 */
export interface WorkloadHealth {
  readonly state: 'healthy' | 'progressing' | 'failed';
  readonly detail: string;
}

const HEALTHY: WorkloadHealth = { state: 'healthy', detail: 'rollout complete' };

/** The health of a workload as its object tells it. Never throws: a malformed status reads as progressing. */
export function workloadHealth(kind: WorkloadKind, obj: KubeObject): WorkloadHealth {
  const spec = asRecord(obj.spec) ?? {};
  const status = asRecord(obj.status) ?? {};
  const generation = num(obj.metadata.generation);
  const observed = num(status.observedGeneration);
  const caughtUp = generation === undefined || (observed !== undefined && observed >= generation);
  switch (kind) {
    case 'Deployment':
      return deploymentHealth(spec, status, caughtUp);
    case 'StatefulSet':
      return statefulSetHealth(spec, status, caughtUp);
    case 'DaemonSet':
      return daemonSetHealth(status, caughtUp);
    case 'Rollout':
      return rolloutHealth(status, caughtUp);
    case 'CronJob':
      return cronJobHealth(status);
    default:
      return HEALTHY;
  }
}

function deploymentHealth(
  spec: Readonly<Record<string, unknown>>,
  status: Readonly<Record<string, unknown>>,
  caughtUp: boolean,
): WorkloadHealth {
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(asRecord) : [];
  const progressing = conditions.find((c) => c?.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { state: 'failed', detail: 'ProgressDeadlineExceeded: its new pods did not become available in time' };
  if (!caughtUp) return { state: 'progressing', detail: 'the Deployment controller has not seen its change yet' };
  const desired = num(spec.replicas) ?? 1;
  const updated = num(status.updatedReplicas) ?? 0;
  const available = num(status.availableReplicas) ?? 0;
  const total = num(status.replicas) ?? 0;
  if (updated < desired) return progressingCount(updated, desired, 'updated');
  if (total > updated) return { state: 'progressing', detail: `${total - updated} old replicas still terminating` };
  if (available < desired) return progressingCount(available, desired, 'available');
  return HEALTHY;
}

function statefulSetHealth(
  spec: Readonly<Record<string, unknown>>,
  status: Readonly<Record<string, unknown>>,
  caughtUp: boolean,
): WorkloadHealth {
  if (!caughtUp) return { state: 'progressing', detail: 'the StatefulSet controller has not seen its change yet' };
  const desired = num(spec.replicas) ?? 1;
  const ready = num(status.readyReplicas) ?? 0;
  if (status.updateRevision !== undefined && status.updateRevision !== status.currentRevision)
    return { state: 'progressing', detail: `${num(status.updatedReplicas) ?? 0} of ${desired} replicas updated` };
  if (ready < desired) return progressingCount(ready, desired, 'ready');
  return HEALTHY;
}

function daemonSetHealth(status: Readonly<Record<string, unknown>>, caughtUp: boolean): WorkloadHealth {
  if (!caughtUp) return { state: 'progressing', detail: 'the DaemonSet controller has not seen its change yet' };
  const desired = num(status.desiredNumberScheduled) ?? 0;
  const updated = num(status.updatedNumberScheduled) ?? 0;
  const available = num(status.numberAvailable) ?? 0;
  if (updated < desired) return progressingCount(updated, desired, 'updated');
  if (available < desired) return progressingCount(available, desired, 'available');
  return HEALTHY;
}

function rolloutHealth(status: Readonly<Record<string, unknown>>, caughtUp: boolean): WorkloadHealth {
  const phase = typeof status.phase === 'string' ? status.phase : 'unknown';
  if (phase === 'Degraded') return { state: 'failed', detail: `phase Degraded: ${text(status.message)}` };
  if (!caughtUp || phase !== 'Healthy') return { state: 'progressing', detail: `phase ${phase}` };
  return HEALTHY;
}

/**
 * A CronJob's template change is complete once written. What it reports
 * beyond that is its runs: one running is progressing; a run scheduled after
 * its last success that is no longer active did not succeed.
 */
function cronJobHealth(status: Readonly<Record<string, unknown>>): WorkloadHealth {
  if (Array.isArray(status.active) && status.active.length > 0)
    return { state: 'progressing', detail: 'a Job it started is running' };
  const scheduled = time(status.lastScheduleTime);
  const succeeded = time(status.lastSuccessfulTime);
  if (scheduled !== undefined && (succeeded === undefined || succeeded < scheduled))
    return { state: 'failed', detail: 'the last Job it started did not succeed' };
  return HEALTHY;
}

function progressingCount(have: number, desired: number, what: string): WorkloadHealth {
  return { state: 'progressing', detail: `${have} of ${desired} replicas ${what}` };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function time(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 200) : 'no message';
}
