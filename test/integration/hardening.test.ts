import type { V1PolicyRule } from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { clients, eventually, grant, serviceAccountKubeconfig, testCluster, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { ControllerProcess, startController } from './support/controller.ts';
import { deployment, rolloutComplete } from './support/workloads.ts';

const usesConfigMap = (name: string): Parameters<typeof deployment>[1] => ({
  containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name } }] }],
});

async function probeBase(controller: ControllerProcess): Promise<string> {
  const started = await controller.waitFor('its start line', (l) => l.msg === 'mini-reloader started');
  return `http://127.0.0.1:${String(started.port)}`;
}

test('after ReDoS inputs in a reload list and a pause period, /live answers within 2 s and an unrelated Deployment still rolls within 20 s', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, `${'a'.repeat(40)}-x`, { A: '1' });
  await createConfigMap(c, ns, 'web-cm', { A: '1' });
  await createConfigMap(c, ns, 'victim-cm', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('named', {}, { 'configmap.reloader.stakater.com/reload': '(a+)+$,web-cm' }),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('paused', usesConfigMap('web-cm'), {
      ...AUTO,
      'deployment.reloader.stakater.com/pause-period': `${'10h'.repeat(40)}x`,
    }),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('victim', usesConfigMap('victim-cm'), AUTO),
  });

  // Not startController: a controller frozen by a backtracking regex would not answer SIGTERM.
  const controller = new ControllerProcess([
    `--kubeconfig=${testCluster().kubeconfigPath}`,
    `--namespaces=${ns}`,
    '--metrics-address=127.0.0.1:0',
    '--log-level=debug',
    '--debounce=1s',
  ]);
  controller.start();
  t.after(async () => {
    await Promise.race([controller.stop(), sleep(5000)]);
    await controller.kill();
  });
  const base = await probeBase(controller);
  await controller.synced();
  await controller.decided(`Deployment/${ns}/victim`, 'adopted');
  // The pause period is read when `paused` rolls.
  await updateConfigMap(c, ns, 'web-cm', { A: '2' });
  await controller.decided(`Deployment/${ns}/paused`, 'rolled');

  const live = await fetch(`${base}/live`, { signal: AbortSignal.timeout(2000) });
  assert.equal(live.status, 200);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'victim-cm', { A: '2' });
  await controller.waitFor(
    'the unrelated Deployment to roll',
    (l) => l.workload === `Deployment/${ns}/victim` && l.msg === 'rolled',
    mark,
    20_000,
  );
  await controller.waitFor(
    'the pause period reported',
    (l) =>
      l.workload === `Deployment/${ns}/paused` &&
      typeof l.msg === 'string' &&
      l.msg.includes('pause-period') &&
      l.msg.includes('is not valid'),
  );
});

test('reloader.stakater.com/auto "TRUE" and "1" are followed, as Go\'s strconv.ParseBool reads them', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  for (const [name, value] of [
    ['upper', 'TRUE'],
    ['one', '1'],
  ] as const) {
    await createConfigMap(c, ns, `${name}-cm`, { A: '1' });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(name, usesConfigMap(`${name}-cm`), { 'reloader.stakater.com/auto': value }),
    });
  }
  const controller = await startController(t, ns);
  for (const name of ['upper', 'one']) await controller.decided(`Deployment/${ns}/${name}`, 'adopted');
  const mark = controller.mark();
  for (const name of ['upper', 'one']) await updateConfigMap(c, ns, `${name}-cm`, { A: '2' });
  for (const name of ['upper', 'one']) {
    await controller.decided(`Deployment/${ns}/${name}`, 'rolled', mark);
    assert.equal((await rolloutComplete(c, ns, name)).replicaSets, 2, name);
  }
});

const WORKLOAD_RULE: V1PolicyRule = {
  apiGroups: ['apps'],
  resources: ['deployments', 'statefulsets', 'daemonsets'],
  verbs: ['get', 'list', 'watch', 'patch'],
};

test('one forbidden namespace or kind stops nothing: the allowed one is adopted and rolled, /readyz is 200, and the refusal is logged and counted', async (t: TestContext) => {
  const c = clients();
  const ok = await testNamespace(t, c);
  const denied = await testNamespace(t, c);
  const half = await testNamespace(t, c);
  const account = { namespace: ok, name: 'mini-reloader' };
  await c.core.createNamespacedServiceAccount({ namespace: ok, body: { metadata: { name: account.name } } });
  await grant(c, ok, account, [
    { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
    WORKLOAD_RULE,
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  // Its workloads may be read, its configs not: they would only seem missing.
  await grant(c, half, account, [WORKLOAD_RULE]);
  const kubeconfig = await serviceAccountKubeconfig(t, c, ok, account.name);
  for (const ns of [ok, denied, half]) {
    await createConfigMap(c, ns, 'app-config', { A: '1' });
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('web', usesConfigMap('app-config'), AUTO),
    });
  }

  // No rule for Jobs, CronJobs or Argo Rollouts anywhere: those kinds are refused even in the allowed namespace.
  const controller = await startController(t, undefined, [`--namespaces=${ok},${denied},${half}`], kubeconfig);
  const base = await probeBase(controller);
  assert.equal((await fetch(`${base}/readyz`)).status, 200, 'ready: every permitted list synced');
  const refusal = await controller.waitFor(
    'the refused ConfigMap list of the denied namespace',
    (l) => l.namespace === denied && l.resource === 'configmaps',
  );
  assert.equal(refusal.verb, 'list');
  assert.equal(refusal.identity, `system:serviceaccount:${ok}:${account.name}`);
  assert.match(refusal.msg, new RegExp(`may not list configmaps in namespace ${denied}`));
  for (const resource of ['secrets', 'deployments']) {
    await controller.waitFor(
      `the refused ${resource} list of the denied namespace`,
      (l) => l.namespace === denied && l.resource === resource && l.verb === 'list',
    );
  }
  for (const resource of ['jobs', 'cronjobs', 'rollouts']) {
    await controller.waitFor(
      `the refused ${resource} list of the allowed namespace`,
      (l) => l.namespace === ok && l.resource === resource && l.verb === 'list',
    );
  }

  await controller.decided(`Deployment/${ok}/web`, 'adopted');
  const mark = controller.mark();
  await updateConfigMap(c, ok, 'app-config', { A: '2' });
  await controller.decided(`Deployment/${ok}/web`, 'rolled', mark);
  assert.equal((await rolloutComplete(c, ok, 'web')).replicaSets, 2);

  await controller.decided(`Deployment/${half}/web`, 'held');
  const record = await c.apps.readNamespacedDeployment({ namespace: half, name: 'web' });
  assert.equal(
    record.metadata?.annotations?.['mini-reloader.pelabs/config-hash-record'],
    undefined,
    'not adopted against configs it cannot see',
  );
  assert.equal(controller.count(`Deployment/${half}/web`, 'adopted'), 0);

  const metrics = await eventually('the forbidden gauge', async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    return body.includes(`mini_reloader_forbidden_resources{resource="configmaps",namespace="${denied}"} 1`)
      ? body
      : undefined;
  });
  assert.ok(metrics.includes(`mini_reloader_forbidden_resources{resource="configmaps",namespace="${half}"} 1`));
  assert.ok(metrics.includes(`mini_reloader_forbidden_resources{resource="rollouts",namespace="${ok}"} 1`));
  for (const resource of ['configmaps', 'secrets', 'deployments']) {
    assert.ok(
      !metrics.includes(`mini_reloader_forbidden_resources{resource="${resource}",namespace="${ok}"}`),
      `${resource} are permitted in the allowed namespace`,
    );
  }
});
