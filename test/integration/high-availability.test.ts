import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiClient, clients, eventually, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { haReplica } from './support/controller-replicas.ts';
import { deployment, replicaSetsOf } from './support/workloads.ts';

async function leading(controller: ControllerProcess, from = 0): Promise<void> {
  await controller.waitFor('leadership', (l) => l.msg.startsWith('leading'), from);
}

test('HA: SIGKILL the leader while changes flow; the warm follower takes over and every change rolls each workload exactly once', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const count = 8;
  for (let i = 0; i < count; i++) {
    await createConfigMap(c, ns, `cm-${i}`, { V: '1' });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(
        `web-${i}`,
        { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: `cm-${i}` } }] }] },
        AUTO,
      ),
    });
  }
  const a = await startController(t, ns, haReplica(ns, 'replica-a'));
  await leading(a);
  for (let i = 0; i < count; i++) await a.decided(`Deployment/${ns}/web-${i}`, 'adopted');
  const b = await startController(t, ns, haReplica(ns, 'replica-b'));
  assert.equal(
    b.lines.some((l) => l.msg.startsWith('leading')),
    false,
    'the follower synced its caches but does not lead',
  );

  for (let i = 0; i < count; i++) {
    await updateConfigMap(c, ns, `cm-${i}`, { V: '2' });
    if (i === count / 2) await a.kill();
    await sleep(300);
  }
  await leading(b);
  for (let i = 0; i < count; i++) {
    const key = `Deployment/${ns}/web-${i}`;
    await eventually(`${key} to roll`, async () =>
      (await replicaSetsOf(c, ns, `web-${i}`)).length >= 2 ? true : undefined,
    );
  }
  // Let any duplicate show itself: the new leader's start-up pass has run by now.
  await b.waitFor('start-up pass', (l) => l.msg.startsWith('checking every workload'));
  await sleep(3000);
  for (let i = 0; i < count; i++) {
    assert.equal((await replicaSetsOf(c, ns, `web-${i}`)).length, 2, `web-${i} rolled exactly once`);
  }
  const lease = await (
    await apiClient(c)
  ).json<{ spec?: { holderIdentity?: string } }>({
    method: 'GET',
    path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/mini-reloader`,
  });
  assert.equal(lease.spec?.holderIdentity, 'replica-b');
});

test('HA: a leader whose Lease is taken stops writing at once and exits, so Kubernetes restarts it', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { V: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  const a = await startController(t, ns, haReplica(ns, 'replica-a'));
  await leading(a);
  await a.decided(`Deployment/${ns}/web`, 'adopted');

  const api = await apiClient(c);
  const path = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/mini-reloader`;
  const lease = await api.json<{ metadata: Record<string, unknown>; spec: Record<string, unknown> }>({
    method: 'GET',
    path,
  });
  const microNow = new Date().toISOString().replace('Z', '000Z');
  await api.json({
    method: 'PUT',
    path,
    body: {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: 'intruder',
        renewTime: microNow,
        acquireTime: microNow,
        leaseDurationSeconds: 60,
      },
    },
  });

  await a.waitFor('leadership lost', (l) => l.msg.startsWith('lost the leader lease'));
  const mark = a.mark();
  await updateConfigMap(c, ns, 'settings', { V: '2' });
  assert.equal(await a.exited(), 1);
  assert.equal(
    a.lines.slice(mark).some((l) => l.msg === 'rolled'),
    false,
    'no write after the loss',
  );
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 1);
});
