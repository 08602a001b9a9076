import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, grant, serviceAccountKubeconfig, testNamespace } from './support/cluster.ts';
import { AUTO, createConfigMap, HASH_ANNOTATION, updateConfigMap } from './support/config.ts';
import { ControllerProcess, controllerArgs, startController } from './support/controller.ts';
import { at, getJson, installCrd, post, type Json } from './support/custom-resources.ts';
import { deployment } from './support/workloads.ts';

const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const UNCHANGED = 'not rolled: config unchanged';

/** A group of this run's own: CRDs are cluster-wide, and other tests share the cluster. */
const group = (what: string): string => `${what}-${Math.random().toString(36).slice(2, 7)}.example.com`;

/** A pod template reading key A of ConfigMap `settings`, and all of `extra`. */
const template = (name: string): Json => ({
  metadata: { labels: { app: name } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'x',
        env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'A' } } }],
        envFrom: [{ configMapRef: { name: 'extra' } }],
      },
    ],
  },
});

test('a CloneSet-shaped kind rolls by its template: key-level references, opt-in and exactly once hold as for Deployments', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const g = group('kruise');
  await installCrd(t, c, { group: g, version: 'v1alpha1', kind: 'CloneSet', plural: 'clonesets' });
  await createConfigMap(c, ns, 'settings', { A: '1', B: '1' });
  await createConfigMap(c, ns, 'extra', { X: '1' });
  const path = `/apis/${g}/v1alpha1/namespaces/${ns}/clonesets`;
  await post(c, path, {
    apiVersion: `${g}/v1alpha1`,
    kind: 'CloneSet',
    metadata: { name: 'web', annotations: AUTO },
    spec: { replicas: 2, template: template('web') },
  });
  await post(c, path, {
    apiVersion: `${g}/v1alpha1`,
    kind: 'CloneSet',
    metadata: { name: 'unopted' },
    spec: { replicas: 1, template: template('unopted') },
  });
  const args = [`--workload-kind=${g}/v1alpha1/CloneSet`];
  const key = `CloneSet.${g}/${ns}/web`;
  const controller = await startController(t, ns, args);
  await controller.decided(key, ADOPTED);
  await controller.decided(`CloneSet.${g}/${ns}/unopted`, 'not rolled');

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { B: '2' });
  await controller.decided(key, UNCHANGED, mark);
  assert.equal(
    at(await getJson(c, `${path}/web`), 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION),
    undefined,
    'a key no container reads rolls nothing',
  );

  mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, ROLLED, mark);
  const rolled = await getJson(c, `${path}/web`);
  assert.match(String(at(rolled, 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION)), /^[0-9a-f]{64}$/);
  assert.equal(at(rolled, 'spec', 'replicas'), 2, 'the rest of the spec is left as it was');
  assert.equal(
    at(await getJson(c, `${path}/unopted`), 'spec', 'template', 'metadata', 'annotations'),
    undefined,
    'a kind not opted in is not rolled',
  );
  assert.equal(controller.count(key, ROLLED), 1);

  await controller.stop();
  const restarted = await startController(t, ns, args);
  await restarted.decided(key, UNCHANGED);
  assert.equal(restarted.count(key, ROLLED), 0, 'a restart rolls nothing again');
});

test('a kind declared with restart-field rolls by setting that field to now, and leaves its template alone', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const g = group('restart');
  await installCrd(t, c, { group: g, version: 'v1', kind: 'Thing', plural: 'things' });
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await createConfigMap(c, ns, 'extra', { X: '1' });
  const path = `/apis/${g}/v1/namespaces/${ns}/things`;
  await post(c, path, {
    apiVersion: `${g}/v1`,
    kind: 'Thing',
    metadata: { name: 'job', annotations: AUTO },
    spec: { template: template('job') },
  });
  const key = `Thing.${g}/${ns}/job`;
  const controller = await startController(t, ns, [
    `--workload-kind=${g}/v1/Thing,resource=things,restart-field=spec.restartAt`,
  ]);
  await controller.decided(key, ADOPTED);
  const mark = controller.mark();
  const before = Date.now() - 1000;
  await updateConfigMap(c, ns, 'extra', { X: '2' });
  await controller.decided(key, ROLLED, mark);
  const thing = await getJson(c, `${path}/job`);
  const restartAt = String(at(thing, 'spec', 'restartAt'));
  assert.match(restartAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339, in seconds');
  assert.ok(Date.parse(restartAt) >= Math.floor(before / 1000) * 1000, 'set at the roll');
  assert.equal(at(thing, 'spec', 'template', 'metadata', 'annotations'), undefined);
});

test('a Knative-Service-shaped kind, declared before its CRD exists, is picked up when the CRD appears and rolls by its template', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const g = group('serving');
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await createConfigMap(c, ns, 'extra', { X: '1' });
  const controller = await startController(t, ns, [`--workload-kind=${g}/v1/Service`]);
  await controller.waitFor(
    'the kind reported as not served',
    (l) => l.kind === `Service.${g}` && l.msg.startsWith('declared workload kind not followed yet'),
  );
  await installCrd(t, c, { group: g, version: 'v1', kind: 'Service', plural: 'services' });
  await post(c, `/apis/${g}/v1/namespaces/${ns}/services`, {
    apiVersion: `${g}/v1`,
    kind: 'Service',
    metadata: { name: 'hello', annotations: AUTO },
    spec: { template: template('hello') },
  });
  const key = `Service.${g}/${ns}/hello`;
  await controller.decided(key, ADOPTED, 0);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(key, ROLLED, mark);
  const service = await getJson(c, `/apis/${g}/v1/namespaces/${ns}/services/hello`);
  assert.match(
    String(at(service, 'spec', 'template', 'metadata', 'annotations', HASH_ANNOTATION)),
    /^[0-9a-f]{64}$/,
    'a new template: Knative would cut a new Revision',
  );
});

test("argo-rollout-workloadref: the Rollout's restartAt moves when its Deployment's ConfigMap changes, and the Deployment is not rolled", async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  // Argo's own CRD name: the one group the preset follows.
  await installCrd(t, c, { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout', plural: 'rollouts' }).catch(
    (err: unknown) => {
      if (!String(err).includes('AlreadyExists') && !String(err).includes('409')) throw err;
    },
  );
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await createConfigMap(c, ns, 'extra', { X: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  await post(c, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', annotations: AUTO },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    },
  });
  const controller = await startController(t, ns, ['--workload-kind=argo-rollout-workloadref']);
  await controller.decided(`Rollout/${ns}/web`, ADOPTED);
  await controller.decided(`Deployment/${ns}/web`, 'not rolled: workload opted out');
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Rollout/${ns}/web`, ROLLED, mark);
  const rollout = await getJson(c, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/web`);
  assert.ok(Date.parse(String(at(rollout, 'spec', 'restartAt'))) > Date.now() - 120_000, 'restartAt is now');
  const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
  assert.equal(
    d.spec?.template.metadata?.annotations?.[HASH_ANNOTATION],
    undefined,
    'the Deployment keeps its template',
  );
  assert.equal(controller.count(`Deployment/${ns}/web`, ROLLED), 0);
});

test('a bad declaration is refused at start with exit status 2, naming it', async () => {
  const controller = new ControllerProcess(
    controllerArgs(undefined, ['--workload-kind=example.com/v1/Thing,replicas=3']),
  );
  controller.start();
  assert.equal(await controller.exited(), 2);
  assert.ok(
    controller.lines.some(
      (l) => l.msg.includes('--workload-kind') && l.msg.includes('"example.com/v1/Thing,replicas=3"'),
    ),
    JSON.stringify(controller.lines),
  );
});

test('a declared kind the account may not list is reported, and the Deployments beside it still roll', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const g = group('denied');
  await installCrd(t, c, { group: g, version: 'v1', kind: 'Thing', plural: 'things' });
  const account = { namespace: ns, name: 'mini-reloader' };
  await c.core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: account.name } } });
  // Everything but the declared kind.
  await grant(c, ns, account, [
    { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  const kubeconfig = await serviceAccountKubeconfig(t, c, ns, account.name);
  await createConfigMap(c, ns, 'settings', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'settings' } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(
    t,
    undefined,
    [
      `--namespaces=${ns}`,
      `--workload-kind=${g}/v1/Thing`,
      '--ignored-workload-types=statefulsets,daemonsets,cronjobs,jobs,rollouts',
    ],
    kubeconfig,
  );
  const refusal = await controller.waitFor(
    'the refused list of the declared kind',
    (l) => l.resource === `things.${g}` && l.verb === 'list',
  );
  assert.equal(refusal.namespace, ns);
  await controller.decided(`Deployment/${ns}/web`, ADOPTED);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, ROLLED, mark);
});
