import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, serviceAccountKubeconfig, testCluster, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

test('--namespaces works with a namespaced Role only, no ClusterRole; ignored workload types need no rules', async (t) => {
  const cluster = testCluster();
  const c = clients(cluster);
  const ns = await testNamespace(t, c);
  const rbac = c.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'mini-reloader' } } });
  await rbac.createNamespacedRole({
    namespace: ns,
    body: {
      metadata: { name: 'mini-reloader' },
      rules: [
        { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['apps'],
          resources: ['deployments', 'statefulsets', 'daemonsets'],
          verbs: ['get', 'list', 'watch', 'patch'],
        },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'mini-reloader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'mini-reloader' },
      subjects: [{ kind: 'ServiceAccount', name: 'mini-reloader', namespace: ns }],
    },
  });
  const kubeconfig = await serviceAccountKubeconfig(t, c, ns, 'mini-reloader');

  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, ['--ignored-workload-types=cronjobs,jobs,rollouts'], kubeconfig);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await controller.decided(key, 'rolled', mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  assert.equal(controller.lines.filter((l) => l.level >= 50).length, 0, 'no errors, so no forbidden list or watch');
});

test('a namespace selector scopes a cluster-wide controller, follows label changes, and ignored namespaces stay untouched', async (t) => {
  const c = clients();
  const selected = await testNamespace(t, c);
  const later = await testNamespace(t, c);
  const ignored = await testNamespace(t, c);
  const scope = `scope-${Math.random().toString(36).slice(2, 8)}`;
  const label = async (ns: string): Promise<void> => {
    const current = await c.core.readNamespace({ name: ns });
    current.metadata = current.metadata ?? {};
    current.metadata.labels = { ...current.metadata.labels, 'mini-reloader-test/scope': scope };
    await c.core.replaceNamespace({ name: ns, body: current });
  };
  await label(selected);
  await label(ignored);
  for (const ns of [selected, later, ignored]) {
    await createConfigMap(c, ns, 'app-config', { A: '1' });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(
        'web',
        { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
        AUTO,
      ),
    });
  }
  const controller = await startController(t, undefined, [
    `--namespace-selector=mini-reloader-test/scope=${scope}`,
    `--namespaces-to-ignore=${ignored}`,
  ]);
  await controller.decided(`Deployment/${selected}/web`, 'adopted');
  await updateConfigMap(c, ignored, 'app-config', { A: '2' });
  let mark = controller.mark();
  await updateConfigMap(c, selected, 'app-config', { A: '2' });
  await controller.decided(`Deployment/${selected}/web`, 'rolled', mark);

  mark = controller.mark();
  await label(later);
  await controller.decided(`Deployment/${later}/web`, 'adopted', mark);
  mark = controller.mark();
  await updateConfigMap(c, later, 'app-config', { A: '2' });
  await controller.decided(`Deployment/${later}/web`, 'rolled', mark);

  assert.equal(
    controller.lines.filter((l) => typeof l.workload === 'string' && l.workload.includes(`/${ignored}/`)).length,
    0,
    'the ignored namespace was never reconciled',
  );
  const untouched = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ignored });
  assert.equal(untouched.metadata?.annotations?.['mini-reloader.pelabs/config-hash-record'], undefined);
  assert.equal(untouched.spec?.template.metadata?.annotations?.['mini-reloader.pelabs/config-hash'], undefined);
});
