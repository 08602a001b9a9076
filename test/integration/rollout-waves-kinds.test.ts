import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { clients, eventually, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { controllerRevisions, daemonSet, eventsFor, setRolledOut, statefulSet } from './support/workloads.ts';

const WAVES = 'mini-reloader.pelabs/rollout-waves';
const TIMEOUT = 'mini-reloader.pelabs/wave-timeout';
const CANARY = 'mini-reloader.pelabs/canary';
const FREEZE = 'mini-reloader.pelabs/freeze';
/** No kwok node carries it: pods that ask for it stay Pending. */
const NOWHERE = { 'mini-reloader-test/absent': 'true' };
const CANARY_SET = { kind: 'StatefulSet', name: 'canary' } as const;
/** A DaemonSet and another StatefulSet: the second wave of the plans, and the frozen pair. */
const REST = [
  { kind: 'DaemonSet', name: 'agents' },
  { kind: 'StatefulSet', name: 'db' },
] as const;

const usesConfig = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };

/**
 * A config with the plan "1,100%", followed by a StatefulSet canary, a
 * DaemonSet and another StatefulSet; resolves once the controller adopted
 * them and each has rolled out its first revision.
 */
async function canaryThenRest(t: TestContext, c: Clients, ns: string, waveTimeout: string): Promise<ControllerProcess> {
  await createConfigMap(c, ns, 'app-config', { V: '1' }, {}, { [WAVES]: '1,100%', [TIMEOUT]: waveTimeout });
  await c.apps.createNamespacedStatefulSet({
    namespace: ns,
    body: statefulSet('canary', usesConfig, { ...AUTO, [CANARY]: 'true' }),
  });
  await c.apps.createNamespacedDaemonSet({ namespace: ns, body: daemonSet('agents', usesConfig, AUTO) });
  await c.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('db', usesConfig, AUTO) });
  const controller = await startController(t, ns);
  for (const { kind, name } of [CANARY_SET, ...REST]) {
    await controller.decided(`${kind}/${ns}/${name}`, 'adopted');
    await setRolledOut(c, ns, kind, name, 1);
  }
  return controller;
}

function rolled(controller: ControllerProcess, key: string, from: number): boolean {
  return controller.lines.slice(from).some((l) => l.workload === key && l.msg.startsWith('rolled'));
}

/** When the pod of a one-replica StatefulSet last became Ready. */
async function readySince(c: Clients, ns: string, name: string): Promise<number> {
  const pod = await c.core.readNamespacedPod({ name: `${name}-0`, namespace: ns });
  const ready = pod.status?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True');
  assert.ok(ready?.lastTransitionTime !== undefined, `${name}-0 is Ready`);
  return new Date(ready.lastTransitionTime).getTime();
}

/** When the newest ControllerRevision of a StatefulSet or DaemonSet was written: when its last roll reached the cluster. */
async function newestRevisionAt(c: Clients, ns: string, owner: string): Promise<number> {
  const list = await c.apps.listNamespacedControllerRevision({ namespace: ns });
  const times = list.items
    .filter((r) => r.metadata?.ownerReferences?.some((o) => o.name === owner))
    .map((r) => new Date(r.metadata?.creationTimestamp ?? 0).getTime());
  return Math.max(...times);
}

test('a StatefulSet canary gates a DaemonSet and another StatefulSet: they roll only once its rollout is complete', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const controller = await canaryThenRest(t, c, ns, '5m');

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { V: '2' });
  await controller.decided(`StatefulSet/${ns}/canary`, 'rolled', mark);
  for (const { kind, name } of REST)
    await controller.decided(
      `${kind}/${ns}/${name}`,
      'ConfigMap/app-config changed; not rolled yet: wave 2 of 2 of the rollout of ConfigMap/app-config: waits for wave 1',
      mark,
    );
  await setRolledOut(c, ns, 'StatefulSet', 'canary', 2);
  for (const { kind, name } of REST) {
    await controller.decided(`${kind}/${ns}/${name}`, 'rolled', mark);
    await setRolledOut(c, ns, kind, name, 2);
  }
  // Kubernetes saw the canary's new pod Ready before it saw either roll of the second wave.
  const canaryReady = await readySince(c, ns, 'canary');
  for (const { name } of REST)
    assert.ok((await newestRevisionAt(c, ns, name)) >= canaryReady, `${name} rolled after the canary was Ready`);
  for (const { kind, name } of [CANARY_SET, ...REST]) {
    await controller.decided(`${kind}/${ns}/${name}`, 'not rolled: config unchanged', mark);
    assert.equal(controller.count(`${kind}/${ns}/${name}`, 'rolled'), 1, `${name} rolled once`);
  }
});

test('a StatefulSet canary whose new pod stays Pending halts the plan: the DaemonSet and the other StatefulSet never roll', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const controller = await canaryThenRest(t, c, ns, '15s');

  // The canary's pods cannot be scheduled any more: no rollout of it completes.
  const canary = await c.apps.readNamespacedStatefulSet({ name: 'canary', namespace: ns });
  const pod = canary.spec?.template.spec;
  assert.ok(pod !== undefined);
  pod.nodeSelector = NOWHERE;
  await c.apps.replaceNamespacedStatefulSet({ name: 'canary', namespace: ns, body: canary });

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { V: '2' });
  await controller.decided(`StatefulSet/${ns}/canary`, 'rolled', mark);
  await controller.waitFor(
    'the halt',
    (l) => l.msg.startsWith('rollout halted at wave 1 of 2: StatefulSet/canary'),
    mark,
    120_000,
  );
  for (const { kind, name } of REST)
    await controller.decided(`${kind}/${ns}/${name}`, 'the rollout of ConfigMap/app-config halted at wave 1', mark);
  const onConfig = await eventually('the ReloadHalted Event on the config', async () => {
    const e = await eventsFor(c, ns, 'app-config', 'ReloadHalted');
    return e.length > 0 ? e : undefined;
  });
  assert.match(onConfig[0] ?? '', /StatefulSet\/canary/);
  for (const { kind, name } of REST) {
    assert.equal(rolled(controller, `${kind}/${ns}/${name}`, mark), false, `${name} is not rolled`);
    assert.equal(await controllerRevisions(c, ns, name), 1, `${name} keeps its one revision`);
    const held = await eventually(`the ReloadHalted Event on ${name}`, async () => {
      const e = await eventsFor(c, ns, name, 'ReloadHalted');
      return e.length > 0 ? e : undefined;
    });
    assert.equal(held.length, 1);
  }
});

test('a frozen StatefulSet and a frozen DaemonSet are held through a change, and each rolls once when the freeze is lifted', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const frozen = { ...AUTO, [FREEZE]: 'true' };
  await createConfigMap(c, ns, 'app-config', { V: '1' });
  await c.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('db', usesConfig, frozen) });
  await c.apps.createNamespacedDaemonSet({ namespace: ns, body: daemonSet('agents', usesConfig, frozen) });
  const controller = await startController(t, ns);
  for (const { kind, name } of REST) {
    await controller.decided(`${kind}/${ns}/${name}`, 'adopted');
    await setRolledOut(c, ns, kind, name, 1);
  }

  let mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { V: '2' });
  for (const { kind, name } of REST)
    await controller.decided(`${kind}/${ns}/${name}`, 'ConfigMap/app-config changed; not rolled', mark);
  assert.equal(await controllerRevisions(c, ns, 'db'), 1);
  assert.equal(await controllerRevisions(c, ns, 'agents'), 1);

  mark = controller.mark();
  const db = await c.apps.readNamespacedStatefulSet({ name: 'db', namespace: ns });
  assert.ok(db.metadata?.annotations !== undefined);
  db.metadata.annotations[FREEZE] = 'false';
  await c.apps.replaceNamespacedStatefulSet({ name: 'db', namespace: ns, body: db });
  const agents = await c.apps.readNamespacedDaemonSet({ name: 'agents', namespace: ns });
  assert.ok(agents.metadata?.annotations !== undefined);
  agents.metadata.annotations[FREEZE] = 'false';
  await c.apps.replaceNamespacedDaemonSet({ name: 'agents', namespace: ns, body: agents });
  for (const { kind, name } of REST) {
    const key = `${kind}/${ns}/${name}`;
    await controller.decided(key, 'rolled', mark);
    await controller.decided(key, 'not rolled: config unchanged', mark);
    await setRolledOut(c, ns, kind, name, 2);
    assert.equal(controller.count(key, 'rolled'), 1, `${name} rolled once`);
  }
});
