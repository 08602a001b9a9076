import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receiver } from '../support/http-receivers.ts';
import { clients, eventually, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { deployment, eventsFor, replicaSetsOf, rolloutComplete } from './support/workloads.ts';

const WAVES = 'mini-reloader.pelabs/rollout-waves';
const TIMEOUT = 'mini-reloader.pelabs/wave-timeout';
const RESUME = 'mini-reloader.pelabs/resume';
const CANARY = 'mini-reloader.pelabs/canary';
const OTHERS = ['a', 'b', 'c', 'd', 'e'];
/** No kwok node carries it: pods that ask for it stay Pending. */
const NOWHERE = { 'mini-reloader-test/absent': 'true' };

const usesConfig = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };

async function setNodeSelector(c: Clients, ns: string, name: string, selector: Record<string, string> | undefined) {
  const d = await c.apps.readNamespacedDeployment({ name, namespace: ns });
  const pod = d.spec?.template.spec;
  assert.ok(pod !== undefined);
  pod.nodeSelector = selector;
  await c.apps.replaceNamespacedDeployment({ name, namespace: ns, body: d });
}

/** One-replica Deployments that use app-config; the one named `canary` is marked as the plan's canary. */
async function createFollowers(c: Clients, ns: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const body = deployment(name, usesConfig, { ...AUTO, ...(name === 'canary' ? { [CANARY]: 'true' } : {}) });
    if (body.spec !== undefined) body.spec.replicas = 1;
    await c.apps.createNamespacedDeployment({ namespace: ns, body });
  }
}

/** Waits until each is adopted and its pods are up. */
async function adopted(c: Clients, controller: ControllerProcess, ns: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await controller.decided(`Deployment/${ns}/${name}`, 'adopted');
    await rolloutComplete(c, ns, name);
  }
}

function rolled(controller: ControllerProcess, ns: string, name: string, from = 0): boolean {
  return controller.lines
    .slice(from)
    .some((l) => l.workload === `Deployment/${ns}/${name}` && l.msg.startsWith('rolled'));
}

test('a canary that fails halts the plan; resumed, the rest roll in two waves, each after the one before is healthy, across a restart', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  const alerts = await receiver();
  t.after(() => alerts.close());
  const env = { ALERT_ON_RELOAD: 'true', ALERT_SINK: 'raw', ALERT_WEBHOOK_URL: `${alerts.url}/hook` };
  await createConfigMap(c, ns, 'app-config', { V: '1' }, {}, { [WAVES]: '1,50%,100%', [TIMEOUT]: '20s' });
  await createFollowers(c, ns, ['canary', ...OTHERS]);
  let controller = await startController(t, ns, [], undefined, env);
  await adopted(c, controller, ns, ['canary', ...OTHERS]);

  // The canary's new pods cannot be scheduled: its rollout never completes.
  await setNodeSelector(c, ns, 'canary', NOWHERE);
  let mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { V: '2' });
  await controller.decided(`Deployment/${ns}/canary`, 'rolled', mark);
  await controller.waitFor(
    'the halt',
    (l) => l.msg.startsWith('rollout halted at wave 1 of 3: Deployment/canary'),
    mark,
    120_000,
  );
  for (const name of OTHERS)
    await controller.decided(`Deployment/${ns}/${name}`, 'the rollout of ConfigMap/app-config halted at wave 1', mark);
  assert.deepEqual(
    OTHERS.filter((name) => rolled(controller, ns, name)),
    [],
    'nothing else rolls',
  );
  assert.equal((await eventsFor(c, ns, 'a', 'ReloadHalted')).length, 1);
  const onConfig = await eventually('the ReloadHalted Event on the config', async () => {
    const e = await eventsFor(c, ns, 'app-config', 'ReloadHalted');
    return e.length > 0 ? e : undefined;
  });
  assert.match(onConfig[0] ?? '', /Deployment\/canary/);
  const alert = await eventually('the halt alert', () =>
    Promise.resolve(alerts.received.find((r) => r.body.includes('halted the rollout of app-config'))),
  );
  assert.match(alert.body, /wave 1 of 3/);

  // Fixed, the canary recovers; the halt holds (also across a restart) until resumed.
  await setNodeSelector(c, ns, 'canary', undefined);
  await rolloutComplete(c, ns, 'canary');
  await controller.kill();
  controller = await startController(t, ns, [], undefined, env);
  for (const name of OTHERS)
    await controller.decided(`Deployment/${ns}/${name}`, 'the rollout of ConfigMap/app-config halted at wave 1');
  assert.deepEqual(
    OTHERS.filter((name) => rolled(controller, ns, name)),
    [],
  );

  mark = controller.mark();
  const cm = await c.core.readNamespacedConfigMap({ name: 'app-config', namespace: ns });
  cm.metadata ??= {};
  cm.metadata.annotations = { ...cm.metadata.annotations, [RESUME]: 'after-fix' };
  await c.core.replaceNamespacedConfigMap({ name: 'app-config', namespace: ns, body: cm });
  await controller.decided(`Deployment/${ns}/a`, 'rolled', mark);
  await controller.decided(`Deployment/${ns}/b`, 'rolled', mark);
  // Events are sent after the roll, best effort: let them land before the kill.
  for (const name of ['a', 'b'])
    await eventually(`the Reloaded Event of ${name}`, async () =>
      (await eventsFor(c, ns, name, 'Reloaded')).length > 0 ? true : undefined,
    );
  // Killed between the waves, a new controller goes on where the plan stood.
  await controller.kill();
  const killed = controller;
  controller = await startController(t, ns, [], undefined, env);
  for (const name of OTHERS) {
    // Rolled by one controller or the other: a roll written just before the kill is in neither log.
    await controller.decided(`Deployment/${ns}/${name}`, 'not rolled: config unchanged');
    await rolloutComplete(c, ns, name);
    assert.equal((await replicaSetsOf(c, ns, name)).length, 2, `${name} rolled exactly once`);
    // The Event comes after the write, best effort: a roll cut off by the kill may have none.
    const logged = rolled(killed, ns, name, mark) || rolled(controller, ns, name);
    const reloaded = logged
      ? await eventually(`the Reloaded Event of ${name}`, async () => {
          const e = await eventsFor(c, ns, name, 'Reloaded');
          return e.length > 0 ? e : undefined;
        })
      : await eventsFor(c, ns, name, 'Reloaded');
    assert.ok(reloaded.length === 1 || (!logged && reloaded.length === 0), `${name}: one Reloaded Event`);
  }
  // Wave 3 rolled only after wave 2 was healthy: each of its rolls is later than both of wave 2's completions.
  for (const name of ['c', 'd', 'e']) {
    const rs = (await replicaSetsOf(c, ns, name)).map((r) => Date.parse(String(r.metadata?.creationTimestamp)));
    const waveTwoDone = await Promise.all(['a', 'b'].map(async (n) => availableSince(c, ns, n)));
    assert.ok(Math.max(...rs) >= Math.max(...waveTwoDone), `${name} rolled after wave 2 was available`);
  }
});

/** When the Deployment's Available condition last turned true: its rollout had completed by then at the latest. */
async function availableSince(c: Clients, ns: string, name: string): Promise<number> {
  const d = await c.apps.readNamespacedDeployment({ name, namespace: ns });
  const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
  return Date.parse(String(progressing?.lastUpdateTime ?? 0));
}

test('a follower deleted while its wave is unhealthy no longer holds the next wave back', async (t) => {
  const c = clients();
  const ns = await testNamespace(t, c);
  // No timeout annotation: the gate would wait for the default 10 minutes.
  await createConfigMap(c, ns, 'app-config', { V: '1' }, {}, { [WAVES]: '1,100%' });
  const names = ['canary', 'a', 'b'];
  await createFollowers(c, ns, names);
  const controller = await startController(t, ns);
  await adopted(c, controller, ns, names);

  await setNodeSelector(c, ns, 'canary', NOWHERE);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { V: '2' });
  await controller.decided(`Deployment/${ns}/canary`, 'rolled', mark);
  for (const name of ['a', 'b'])
    await controller.waitFor(
      `${name} held for wave 1`,
      (l) => l.workload === `Deployment/${ns}/${name}` && l.msg.includes('not rolled yet: wave 2 of 2'),
      mark,
    );

  const deleted = controller.mark();
  await c.apps.deleteNamespacedDeployment({ name: 'canary', namespace: ns });
  for (const name of ['a', 'b']) {
    await controller.decided(`Deployment/${ns}/${name}`, 'rolled', deleted);
    assert.equal((await rolloutComplete(c, ns, name)).replicaSets, 2, `${name} rolled once`);
  }
});
