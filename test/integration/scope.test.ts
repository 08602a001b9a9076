import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { clients, testCluster, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

test('--namespaces works with a namespaced Role only, no ClusterRole', async (t) => {
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
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list', 'watch', 'patch'] },
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
  const request = await c.core.createNamespacedServiceAccountToken({ name: 'mini-reloader', namespace: ns, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  assert.ok(token);

  const admin = new KubeConfig();
  admin.loadFromFile(cluster.kubeconfigPath);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sa-kubeconfig-'));
  t.after(() => { rmSync(dir, { recursive: true, force: true }); });
  const kubeconfig = path.join(dir, 'kubeconfig');
  const restricted = new KubeConfig();
  restricted.loadFromOptions({
    clusters: admin.clusters,
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: admin.getCurrentCluster()?.name ?? '', user: 'sa' }],
    currentContext: 'sa',
  });
  writeFileSync(kubeconfig, restricted.exportConfig(), { mode: 0o600 });

  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] }, AUTO) });
  const controller = await startController(t, ns, [], kubeconfig);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await controller.decided(key, 'rolled', mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  assert.equal(controller.lines.filter((l) => l.level >= 50).length, 0, 'no errors, so no forbidden list or watch');
});
