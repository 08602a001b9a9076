import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { clients, eventually, testNamespace, type Clients } from './support/cluster.ts';
import { AUTO, createConfigMap, updateConfigMap } from './support/config.ts';
import { startController, type ControllerProcess } from './support/controller.ts';
import { rolledOnceOpen, windowOpeningSoon } from './support/maintenance-window.ts';
import { deployment, eventsFor, rolloutComplete } from './support/workloads.ts';

const FREEZE = 'mini-reloader.pelabs/freeze';
const WINDOW = 'mini-reloader.pelabs/maintenance-window';
const SCOPE_LABEL = 'mini-reloader-test/namespace-holds';
const HELD = 'ConfigMap/app-config changed; not rolled';
const WORKLOADS = ['web', 'api'];

const usesConfig = { containers: [{ name: 'app', image: 'x', envFrom: [{ configMapRef: { name: 'app-config' } }] }] };

/** Sets (a string) or removes (undefined) annotations of the Namespace, keeping its others. */
async function annotateNamespace(
  c: Clients,
  ns: string,
  annotations: Record<string, string | undefined>,
): Promise<void> {
  const current = await c.core.readNamespace({ name: ns });
  const kept = Object.entries(current.metadata?.annotations ?? {}).filter(([key]) => !(key in annotations));
  const set = Object.entries(annotations).filter((e): e is [string, string] => e[1] !== undefined);
  current.metadata = current.metadata ?? {};
  current.metadata.annotations = Object.fromEntries([...kept, ...set]);
  await c.core.replaceNamespace({ name: ns, body: current });
}

/**
 * A test namespace with a config followed by two Deployments, and a
 * cluster-wide controller (namespace holds need the Namespace watch) whose
 * selector picks that namespace only; the Deployments are adopted.
 */
async function setUp(
  t: TestContext,
  annotations: Record<string, string>,
): Promise<{ c: Clients; ns: string; controller: ControllerProcess }> {
  const c = clients();
  const ns = await testNamespace(t, c);
  const scope = `holds-${Math.random().toString(36).slice(2, 8)}`;
  const current = await c.core.readNamespace({ name: ns });
  current.metadata = current.metadata ?? {};
  current.metadata.labels = { ...current.metadata.labels, [SCOPE_LABEL]: scope };
  await c.core.replaceNamespace({ name: ns, body: current });
  await annotateNamespace(c, ns, annotations);
  await createConfigMap(c, ns, 'app-config', { GREETING: 'hello' });
  for (const name of WORKLOADS)
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment(name, usesConfig, AUTO) });
  const controller = await startController(t, undefined, [`--namespace-selector=${SCOPE_LABEL}=${scope}`]);
  for (const name of WORKLOADS) {
    await controller.decided(`Deployment/${ns}/${name}`, 'adopted');
    await rolloutComplete(c, ns, name);
  }
  return { c, ns, controller };
}

test('a frozen Namespace holds both its Deployments through two changes, and lifting its freeze rolls each exactly once', async (t) => {
  const { c, ns, controller } = await setUp(t, { [FREEZE]: 'true' });
  const keys = WORKLOADS.map((name) => `Deployment/${ns}/${name}`);

  for (const value of ['bonjour', 'hola']) {
    const mark = controller.mark();
    await updateConfigMap(c, ns, 'app-config', { GREETING: value });
    for (const key of keys) {
      const held = await controller.decided(key, HELD, mark);
      assert.match(held.msg, new RegExp(`not rolled while Namespace ${ns} is frozen`));
    }
  }
  for (const key of keys) assert.equal(controller.count(key, 'rolled'), 0);
  for (const name of WORKLOADS) {
    const held = await eventually(`the ReloadHeld event of ${name}`, async () => {
      const e = await eventsFor(c, ns, name, 'ReloadHeld');
      return e.length > 0 ? e : undefined;
    });
    assert.equal(held.length, 1, 'one Event for the held state, not one per change');
    assert.match(held[0] ?? '', new RegExp(`Namespace ${ns} is frozen.*when the freeze is lifted`));
  }

  const mark = controller.mark();
  await annotateNamespace(c, ns, { [FREEZE]: undefined });
  for (const key of keys) {
    await controller.decided(key, 'rolled', mark);
    await controller.decided(key, 'not rolled: config unchanged', mark);
    assert.equal(controller.count(key, 'rolled'), 1);
  }
  for (const name of WORKLOADS) {
    assert.equal((await rolloutComplete(c, ns, name)).replicaSets, 2, `one rollout of ${name}`);
    assert.equal((await eventsFor(c, ns, name, 'Reloaded')).length, 1);
  }
});

test("a change outside its Namespace's maintenance window waits for it, and each Deployment rolls once when it opens", async (t) => {
  const { opens, window } = windowOpeningSoon();
  const { c, ns, controller } = await setUp(t, { [WINDOW]: window });
  const keys = WORKLOADS.map((name) => `Deployment/${ns}/${name}`);

  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'bonjour' });
  for (const key of keys) {
    const held = await controller.decided(key, HELD, mark);
    assert.equal(held.until, opens.toISOString(), 'held until the window opens');
    assert.match(held.msg, new RegExp(`outside the maintenance window of Namespace ${ns}`));
  }
  for (const key of keys) {
    await rolledOnceOpen(controller, key, opens, mark);
    await controller.decided(key, 'not rolled: config unchanged', mark);
    assert.equal(controller.count(key, 'rolled'), 1);
  }
  for (const name of WORKLOADS) assert.equal((await rolloutComplete(c, ns, name)).replicaSets, 2);
});

test('a Namespace freeze that is not a boolean gets a Warning Event on the Namespace, and freezes nothing', async (t) => {
  const { c, ns, controller } = await setUp(t, { [FREEZE]: 'yes please' });
  const warning = await eventually('the InvalidAnnotation Event on the Namespace', async () => {
    const events = await c.core.listNamespacedEvent({
      namespace: 'default',
      fieldSelector: `involvedObject.kind=Namespace,involvedObject.name=${ns},reason=InvalidAnnotation`,
    });
    return events.items[0];
  });
  assert.equal(warning.type, 'Warning');
  assert.match(warning.message ?? '', /mini-reloader\.pelabs\/freeze: "yes please" is not valid/);
  const mark = controller.mark();
  await updateConfigMap(c, ns, 'app-config', { GREETING: 'bonjour' });
  for (const name of WORKLOADS) await controller.decided(`Deployment/${ns}/${name}`, 'rolled', mark);
});
