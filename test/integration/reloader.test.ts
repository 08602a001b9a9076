import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clients, eventually, testCluster, testNamespace } from './support/cluster.ts';
import {
  AUTO,
  createConfigMap,
  createSecret,
  ENABLED_LABEL,
  HASH_ANNOTATION,
  updateConfigMap,
  updateSecret,
} from './support/config.ts';
import { startController } from './support/controller.ts';
import {
  controllerRevisions,
  deployment,
  eventsFor,
  replicaSetsOf,
  rolloutComplete,
  templateAnnotation,
} from './support/workloads.ts';

const ADOPTED = 'adopted';
const ROLLED = 'rolled';
const UNCHANGED = 'not rolled: config unchanged';

test('a labelled ConfigMap rolls the Deployment that uses it exactly once, with a Reloaded event', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { GREETING: 'hello' }, ENABLED_LABEL);
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', {
      containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }],
    }),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');
  assert.equal(
    await templateAnnotation(c, ns, 'web', HASH_ANNOTATION),
    undefined,
    'adoption does not touch the pod template',
  );

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'bonjour' });
  await controller.decided(key, ROLLED, mark);
  await controller.decided(key, UNCHANGED, mark);
  const { replicaSets } = await rolloutComplete(c, ns, 'web');
  assert.equal(replicaSets, 2, 'one new ReplicaSet: one rollout');
  assert.equal(controller.count(key, ROLLED), 1);
  assert.match((await templateAnnotation(c, ns, 'web', HASH_ANNOTATION)) ?? '', /^[0-9a-f]{64}$/);
  const events = await eventually('the Reloaded event', async () => {
    const e = await eventsFor(c, ns, 'web', 'Reloaded');
    return e.length > 0 ? e : undefined;
  });
  assert.match(events[0] ?? '', /ConfigMap\/app-config: key GREETING changed/);
});

test('the auto annotation rolls a StatefulSet and a DaemonSet when their Secret changes', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createSecret(c, ns, 'creds', { password: 'one' });
  const labels = { app: 'db' };
  await c.apps.createNamespacedStatefulSet({
    namespace: ns,
    body: {
      metadata: { name: 'db', annotations: AUTO },
      spec: {
        serviceName: 'db',
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: 'db', image: 'x', volumeMounts: [{ name: 'creds', mountPath: '/creds' }] }],
            volumes: [{ name: 'creds', secret: { secretName: 'creds' } }],
          },
        },
      },
    },
  });
  await c.apps.createNamespacedDaemonSet({
    namespace: ns,
    body: {
      metadata: { name: 'agent', annotations: AUTO },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'agent', image: 'x', envFrom: [{ secretRef: { name: 'creds' } }] }] },
        },
      },
    },
  });
  const controller = await startController(t, ns);
  await controller.decided(`StatefulSet/${ns}/db`, ADOPTED);
  await controller.decided(`DaemonSet/${ns}/agent`, ADOPTED);
  await eventually('first revisions', async () =>
    (await controllerRevisions(c, ns, 'db')) === 1 && (await controllerRevisions(c, ns, 'agent')) === 1
      ? true
      : undefined,
  );

  const mark = controller.mark();
  await updateSecret(c, ns, 'creds', { password: 'two' });
  await controller.decided(`StatefulSet/${ns}/db`, ROLLED, mark);
  await controller.decided(`DaemonSet/${ns}/agent`, ROLLED, mark);
  await eventually('a second StatefulSet revision rolled out', async () => {
    const sts = await c.apps.readNamespacedStatefulSet({ name: 'db', namespace: ns });
    const s = sts.status;
    return (await controllerRevisions(c, ns, 'db')) === 2 &&
      s?.updateRevision === s?.currentRevision &&
      s?.updatedReplicas === 2
      ? true
      : undefined;
  });
  await eventually('a second DaemonSet revision rolled out', async () => {
    const ds = await c.apps.readNamespacedDaemonSet({ name: 'agent', namespace: ns });
    const s = ds.status;
    return (await controllerRevisions(c, ns, 'agent')) === 2 &&
      s?.updatedNumberScheduled === s?.desiredNumberScheduled &&
      s?.numberAvailable === s?.desiredNumberScheduled
      ? true
      : undefined;
  });
});

test('auto "false" opts a workload out, and an ignored config triggers nothing', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'shared', { A: '1' }, ENABLED_LABEL);
  await createConfigMap(c, ns, 'quiet', { A: '1' }, {}, { 'reloader.stakater.com/ignore': 'true' });
  const uses = (name: string) => ({ containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name } }] }] });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('opted-out', uses('shared'), { 'reloader.stakater.com/auto': 'false' }),
  });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('ignored', uses('quiet'), AUTO) });
  const controller = await startController(t, ns);
  await rolloutComplete(c, ns, 'opted-out');
  await rolloutComplete(c, ns, 'ignored');

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'shared', { A: '2' });
  await updateConfigMap(c, ns, 'quiet', { A: '2' });
  await controller.decided(`Deployment/${ns}/opted-out`, 'not rolled: workload opted out', mark);
  await controller.decided(`Deployment/${ns}/ignored`, 'not rolled: follows no config', mark);
  assert.equal((await replicaSetsOf(c, ns, 'opted-out')).length, 1);
  assert.equal((await replicaSetsOf(c, ns, 'ignored')).length, 1);
});

test('key-level: changing a key the pod cannot see rolls nothing; changing one it uses rolls once', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'settings', { used: '1', other: '1' });
  await createSecret(c, ns, 'tls', { 'tls.crt': 'a', 'unrelated.txt': 'a' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            env: [{ name: 'USED', valueFrom: { configMapKeyRef: { name: 'settings', key: 'used' } } }],
            volumeMounts: [{ name: 'tls', mountPath: '/tls' }],
          },
        ],
        volumes: [
          {
            name: 'tls',
            projected: { sources: [{ secret: { name: 'tls', items: [{ key: 'tls.crt', path: 'tls.crt' }] } }] },
          },
        ],
      },
      AUTO,
    ),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'settings', { other: '2' });
  await controller.decided(key, UNCHANGED, mark);
  mark = controller.mark();
  await updateSecret(c, ns, 'tls', { 'unrelated.txt': 'b' });
  await controller.decided(key, UNCHANGED, mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 1, 'invisible keys rolled nothing');

  mark = controller.mark();
  await updateSecret(c, ns, 'tls', { 'tls.crt': 'b' });
  await controller.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
});

test('a change to only the labels or annotations of a config rolls nothing', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' }, ENABLED_LABEL);
  await createConfigMap(c, ns, 'sentinel-config', { A: '1' }, ENABLED_LABEL);
  const uses = (name: string) => ({ containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name } }] }] });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', uses('app-config')) });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('sentinel', uses('sentinel-config')) });
  const controller = await startController(t, ns);
  await controller.decided(`Deployment/${ns}/web`, ADOPTED);
  await controller.decided(`Deployment/${ns}/sentinel`, ADOPTED);

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', {}, { team: 'blue' });
  const cm = await c.core.readNamespacedConfigMap({ name: 'app-config', namespace: ns });
  cm.metadata ??= {};
  cm.metadata.annotations = { note: 'metadata only' };
  await c.core.replaceNamespacedConfigMap({ name: 'app-config', namespace: ns, body: cm });
  // The same watch delivers the sentinel's change after the metadata edits, so
  // once the sentinel rolled, the controller has seen them.
  await updateConfigMap(c, ns, 'sentinel-config', { A: '2' });
  await controller.decided(`Deployment/${ns}/sentinel`, ROLLED, mark);
  assert.equal(controller.count(`Deployment/${ns}/web`, ROLLED), 0);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 1);
});

test('restarting the controller rolls nothing', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await createConfigMap(c, ns, 'other-config', { A: '1' });
  const uses = (name: string) => ({ containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name } }] }] });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('rolled-before', uses('app-config'), AUTO),
  });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('adopted-only', uses('other-config'), AUTO),
  });
  const first = await startController(t, ns);
  await first.decided(`Deployment/${ns}/rolled-before`, ADOPTED);
  await first.decided(`Deployment/${ns}/adopted-only`, ADOPTED);
  const mark = first.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await first.decided(`Deployment/${ns}/rolled-before`, ROLLED, mark);
  await rolloutComplete(c, ns, 'rolled-before');
  await rolloutComplete(c, ns, 'adopted-only');
  assert.equal(await first.stop(), 0, 'SIGTERM is a clean exit');

  const second = await startController(t, ns);
  await second.decided(`Deployment/${ns}/rolled-before`, UNCHANGED);
  await second.decided(`Deployment/${ns}/adopted-only`, UNCHANGED);
  assert.equal(
    second.count(`Deployment/${ns}/rolled-before`, ROLLED) + second.count(`Deployment/${ns}/adopted-only`, ROLLED),
    0,
  );
  assert.equal((await replicaSetsOf(c, ns, 'rolled-before')).length, 2);
  assert.equal((await replicaSetsOf(c, ns, 'adopted-only')).length, 1);
});

test('a change made while the controller was down rolls each affected workload exactly once when it returns', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' }, ENABLED_LABEL);
  const uses = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('one', uses) });
  await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('two', uses) });
  const first = await startController(t, ns);
  await first.decided(`Deployment/${ns}/one`, ADOPTED);
  await first.decided(`Deployment/${ns}/two`, ADOPTED);
  await first.kill();

  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  const second = await startController(t, ns);
  for (const name of ['one', 'two']) {
    await second.decided(`Deployment/${ns}/${name}`, ROLLED);
    await second.decided(`Deployment/${ns}/${name}`, UNCHANGED);
    assert.equal((await rolloutComplete(c, ns, name)).replicaSets, 2);
    assert.equal(second.count(`Deployment/${ns}/${name}`, ROLLED), 1);
  }
  const events = await eventsFor(c, ns, 'one', 'Reloaded');
  assert.match(events.join('\n'), /changed while not watched/);
});

test('a ConfigMap and a Secret edited together within the debounce window give one rollout', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await createSecret(c, ns, 'app-secret', { token: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            envFrom: [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'app-secret' } }],
          },
        ],
      },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, ['--debounce=3s']);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await updateSecret(c, ns, 'app-secret', { token: '2' });
  await controller.decided(key, ROLLED, mark);
  await controller.decided(key, UNCHANGED, mark);
  assert.equal(controller.count(key, ROLLED), 1);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  const events = await eventsFor(c, ns, 'web', 'Reloaded');
  assert.match(events[0] ?? '', /ConfigMap\/app-config/);
  assert.match(events[0] ?? '', /Secret\/app-secret/);
});

test('ten quick edits to one ConfigMap give at most two rollouts, the last carrying the final content', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '0' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
      AUTO,
    ),
  });
  const first = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await first.decided(key, ADOPTED);

  const mark = first.mark();
  for (let i = 1; i <= 10; i++) await updateConfigMap(c, ns, 'app-config', { A: String(i) });
  await first.decided(key, ROLLED, mark);
  await rolloutComplete(c, ns, 'web');
  await first.stop();
  const rolls = first.count(key, ROLLED);
  assert.ok(rolls >= 1 && rolls <= 2, `rolled ${rolls} times`);

  // A fresh controller agrees the stored hash is that of the final content.
  const second = await startController(t, ns);
  await second.decided(key, UNCHANGED);
  assert.ok((await replicaSetsOf(c, ns, 'web')).length <= 3);
});

test('dry run decides, logs and records events, and writes nothing to workloads', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' }, ENABLED_LABEL);
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('web', {
      containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }],
    }),
  });
  const adopter = await startController(t, ns);
  await adopter.decided(`Deployment/${ns}/web`, ADOPTED);
  await adopter.stop();
  const before = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });

  const controller = await startController(t, ns, ['--dry-run']);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await controller.decided(`Deployment/${ns}/web`, 'dry run: would roll', mark);
  const events = await eventually('the WouldReload event', async () => {
    const e = await eventsFor(c, ns, 'web', 'WouldReload');
    return e.length > 0 ? e : undefined;
  });
  assert.match(events[0] ?? '', /would roll/);
  const after = await c.apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion, 'the Deployment was not written');
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 1);
});

test('--reload-on-create: a missing optional ConfigMap that is created later rolls the workload', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'base', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      {
        containers: [
          {
            name: 'app',
            image: 'x',
            envFrom: [{ configMapRef: { name: 'base' } }, { configMapRef: { name: 'overrides', optional: true } }],
          },
        ],
      },
      AUTO,
    ),
  });
  const controller = await startController(t, ns, ['--reload-on-create']);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');

  const mark = controller.mark();
  await createConfigMap(c, ns, 'overrides', { B: '1' });
  await controller.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
});

test('a kube-apiserver restart mid-watch, followed at once by a change, still rolls', async (t) => {
  const cluster = testCluster();
  const c = clients(cluster);
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
      AUTO,
    ),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  await rolloutComplete(c, ns, 'web');

  await cluster.stopComponent('kube-apiserver');
  await cluster.startComponent('kube-apiserver');
  const mark = controller.mark();
  await eventually('the edit to be accepted', async () => {
    await updateConfigMap(c, ns, 'app-config', { A: '2' });
    return true;
  });
  await controller.decided(key, ROLLED, mark);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
});

test('two controllers on the same workloads roll once: the resourceVersion precondition stops the second write', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'app-config', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] },
      AUTO,
    ),
  });
  const [one, two] = await Promise.all([
    startController(t, ns, ['--debounce=0']),
    startController(t, ns, ['--debounce=0']),
  ]);
  const key = `Deployment/${ns}/web`;
  const settled = (from: [number, number]) =>
    Promise.all([one.decided(key, UNCHANGED, from[0]), two.decided(key, UNCHANGED, from[1])]);
  await Promise.race([one.decided(key, ADOPTED), two.decided(key, ADOPTED)]);
  await settled([0, 0]);

  const marks: [number, number] = [one.mark(), two.mark()];
  await updateConfigMap(c, ns, 'app-config', { A: '2' });
  await Promise.race([one.decided(key, ROLLED, marks[0]), two.decided(key, ROLLED, marks[1])]);
  await settled(marks);
  assert.equal(one.count(key, ROLLED) + two.count(key, ROLLED), 1, 'exactly one of them rolled');
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  assert.equal((await eventsFor(c, ns, 'web', 'Reloaded')).length, 1);
});

test('named reload lists roll a workload for a config its pod spec never references; an invalid regex gives a Warning event and is skipped', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  await createConfigMap(c, ns, 'feature-flags', { beta: 'off' });
  await createConfigMap(c, ns, 'unrelated', { A: '1' });
  await c.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment(
      'web',
      { containers: [{ name: 'app', image: 'x' }] },
      { 'configmap.reloader.stakater.com/reload': 'feature-.*,broken[' },
    ),
  });
  const controller = await startController(t, ns);
  const key = `Deployment/${ns}/web`;
  await controller.decided(key, ADOPTED);
  const warning = await eventually('the InvalidAnnotation event', async () => {
    const e = await eventsFor(c, ns, 'web', 'InvalidAnnotation');
    return e.length > 0 ? e : undefined;
  });
  assert.match(
    warning[0] ?? '',
    /configmap\.reloader\.stakater\.com\/reload: "broken\[" is not valid \(not a valid regular expression/,
  );

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'unrelated', { A: '2' });
  await updateConfigMap(c, ns, 'feature-flags', { beta: 'on' });
  await controller.decided(key, ROLLED, mark);
  await controller.decided(key, UNCHANGED, mark);
  assert.equal(controller.count(key, ROLLED), 1);
  assert.equal((await rolloutComplete(c, ns, 'web')).replicaSets, 2);
  assert.equal((await eventsFor(c, ns, 'web', 'InvalidAnnotation')).length, 1, 'reported once, not on every reconcile');

  mark = controller.mark();
  await updateConfigMap(c, ns, 'unrelated', { A: '3' });
  await controller.decided(key, UNCHANGED, mark);
  assert.equal((await replicaSetsOf(c, ns, 'web')).length, 2, 'a config the list does not name rolls nothing');
});
