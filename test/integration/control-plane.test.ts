import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, eventually, testCluster, testNamespace } from './support/cluster.ts';
import { deployment, replicaSetsOf, rolloutComplete, runningPods } from './support/workloads.ts';

test('a Deployment gets a ReplicaSet and Running pods on the fake nodes', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });

  const { current } = await rolloutComplete(c, ns, 'web');
  assert.equal(current.status?.readyReplicas, 2);
  const pods = await c.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
  assert.equal(pods.items.length, 2);
  for (const pod of pods.items) {
    assert.equal(pod.status?.phase, 'Running');
    assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
  }
});

test('changing the pod template rolls the Deployment to completion', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
  const before = await rolloutComplete(c, ns, 'web');

  const changed = deployment('web');
  const template = changed.spec?.template;
  assert.ok(template?.metadata);
  template.metadata.annotations = { 'example.com/rev': '2' };
  await c.apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: changed });

  const after = await rolloutComplete(c, ns, 'web');
  assert.notEqual(
    after.current.metadata?.name,
    before.current.metadata?.name,
    'a new ReplicaSet carries the new template',
  );
  const sets = await replicaSetsOf(c, ns, 'web');
  assert.equal(sets.length, 2);
  const old = sets.find((rs) => rs.metadata?.name === before.current.metadata?.name);
  assert.equal(old?.spec?.replicas, 0, 'the old ReplicaSet is scaled to zero');
  assert.equal(await runningPods(c, ns, 'web'), 2);
});

test('the cluster keeps its objects across a kube-apiserver restart', async (t) => {
  const cluster = testCluster();
  const c = clients(cluster);
  const ns = await testNamespace(t, c);
  await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'kept' }, data: { k: 'v' } } });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web') });
  await rolloutComplete(c, ns, 'web');

  await cluster.stopComponent('kube-apiserver');
  assert.equal(cluster.isRunning('kube-apiserver'), false);
  await assert.rejects(c.core.readNamespacedConfigMap({ name: 'kept', namespace: ns }), 'the API is really down');
  await cluster.startComponent('kube-apiserver');

  const cm = await eventually('the ConfigMap to be readable again', () =>
    c.core.readNamespacedConfigMap({ name: 'kept', namespace: ns }),
  );
  assert.deepEqual(cm.data, { k: 'v' });
  await rolloutComplete(c, ns, 'web');
  assert.equal(await runningPods(c, ns, 'web'), 2);
});
