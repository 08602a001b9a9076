import type { V1DaemonSet, V1Deployment, V1PodSpec, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import type { Clients } from './cluster.ts';
import { eventually } from './cluster.ts';

export function deployment(
  name: string,
  podSpec: Partial<V1PodSpec> = {},
  annotations: Record<string, string> = {},
): V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, annotations },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }], ...podSpec },
      },
    },
  };
}

export async function replicaSetsOf(c: Clients, namespace: string, deploymentName: string): Promise<V1ReplicaSet[]> {
  const list = await c.apps.listNamespacedReplicaSet({ namespace });
  return list.items.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deploymentName),
  );
}

/**
 * Waits until the Deployment's rollout is complete as the cluster itself sees
 * it: the controller observed the latest generation, every replica is updated
 * and available, and exactly one ReplicaSet still has replicas. Returns that
 * ReplicaSet and how many ReplicaSets exist in all (one per rollout).
 */
export async function rolloutComplete(
  c: Clients,
  namespace: string,
  name: string,
  timeoutMs = 90_000,
): Promise<{ current: V1ReplicaSet; replicaSets: number }> {
  return eventually(
    `Deployment ${namespace}/${name} to finish rolling out`,
    async () => {
      const d = await c.apps.readNamespacedDeployment({ name, namespace });
      const want = d.spec?.replicas ?? 1;
      const s = d.status;
      if (s?.observedGeneration !== d.metadata?.generation) return undefined;
      if (s?.updatedReplicas !== want || s.availableReplicas !== want || s.replicas !== want) return undefined;
      const sets = await replicaSetsOf(c, namespace, name);
      const live = sets.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
      const current = live[0];
      if (live.length !== 1 || current === undefined || current.status?.readyReplicas !== want) return undefined;
      return { current, replicaSets: sets.length };
    },
    timeoutMs,
  );
}

export async function runningPods(c: Clients, namespace: string, appLabel: string): Promise<number> {
  const pods = await c.core.listNamespacedPod({ namespace, labelSelector: `app=${appLabel}` });
  return pods.items.filter((p) => p.status?.phase === 'Running' && p.metadata?.deletionTimestamp === undefined).length;
}

/** Revisions the cluster recorded for a StatefulSet or DaemonSet: one per distinct pod template. */
export async function controllerRevisions(c: Clients, namespace: string, ownerName: string): Promise<number> {
  const list = await c.apps.listNamespacedControllerRevision({ namespace });
  return list.items.filter((r) => r.metadata?.ownerReferences?.some((o) => o.name === ownerName)).length;
}

export async function templateAnnotation(
  c: Clients,
  namespace: string,
  name: string,
  annotation: string,
): Promise<string | undefined> {
  const d = await c.apps.readNamespacedDeployment({ name, namespace });
  return d.spec?.template.metadata?.annotations?.[annotation];
}

export async function eventsFor(c: Clients, namespace: string, name: string, reason: string): Promise<string[]> {
  const events = await c.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name},reason=${reason}`,
  });
  return events.items.map((e) => e.message ?? '');
}

/** A one-replica StatefulSet running `podSpec`. */
export function statefulSet(
  name: string,
  podSpec: Partial<V1PodSpec> = {},
  annotations: Record<string, string> = {},
): V1StatefulSet {
  const labels = { app: name };
  return {
    metadata: { name, annotations },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'x' }], ...podSpec } },
    },
  };
}

/** A DaemonSet running `podSpec` on every node. */
export function daemonSet(
  name: string,
  podSpec: Partial<V1PodSpec> = {},
  annotations: Record<string, string> = {},
): V1DaemonSet {
  const labels = { app: name };
  return {
    metadata: { name, annotations },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'x' }], ...podSpec } },
    },
  };
}

/**
 * Waits until a StatefulSet's or DaemonSet's rollout is complete as its
 * controller reports it, with `revisions` ControllerRevisions recorded (one
 * per distinct template).
 */
export async function setRolledOut(
  c: Clients,
  namespace: string,
  kind: 'StatefulSet' | 'DaemonSet',
  name: string,
  revisions: number,
  timeoutMs = 90_000,
): Promise<void> {
  await eventually(
    `${kind} ${namespace}/${name} to finish rolling out revision ${revisions}`,
    async () => {
      if ((await controllerRevisions(c, namespace, name)) !== revisions) return undefined;
      if (kind === 'StatefulSet') {
        const sts = await c.apps.readNamespacedStatefulSet({ name, namespace });
        const s = sts.status;
        const want = sts.spec?.replicas ?? 1;
        const caughtUp = s?.observedGeneration === sts.metadata?.generation;
        return caughtUp && s?.updateRevision === s?.currentRevision && s?.readyReplicas === want ? true : undefined;
      }
      const ds = await c.apps.readNamespacedDaemonSet({ name, namespace });
      const s = ds.status;
      const want = s?.desiredNumberScheduled ?? -1;
      const caughtUp = s?.observedGeneration === ds.metadata?.generation;
      return caughtUp && want > 0 && s?.updatedNumberScheduled === want && s.numberAvailable === want
        ? true
        : undefined;
    },
    timeoutMs,
  );
}
